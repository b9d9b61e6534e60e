import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { tickSemantics } from "./semantics.js";

const dir = mkdtempSync(join(tmpdir(), "baton-schedules-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES: ReadonlyArray<[string, () => Promise<Store>]> = [
  ["memory", async () => new MemoryStore()],
  ["sqlite", async () => openSqliteStore(join(dir, `tick-${++n}.db`))],
];

for (const [kind, open] of STORES) describe(`tickSchedules (${kind})`, () => tickSemantics(open));
