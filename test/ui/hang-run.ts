/**
 * Starts a `mini-saga` run on the given SQLite file whose steps each take `delayMs`, prints
 * "started" once the run is recorded, and keeps driving it until killed (the crashed-run tests
 * kill it with SIGKILL: the run is left with an owner that is gone).
 * Usage: node --import tsx test/ui/hang-run.ts <db> <runId> <delayMs>
 */
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { sagaGraph } from "../http/fixtures.js";

const [db, runId, delay] = process.argv.slice(2);
const store = openSqliteStore(db!);
const run = sagaGraph(store).run(
  { delayMs: Number(delay) },
  { runId: runId!, onEvent: (e) => e.type === "run_started" && console.log("started") },
);
await run;
