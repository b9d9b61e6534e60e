/**
 * Real child processes for the saga crash tests, in the manner of test/durability/crash.int.test.ts:
 * the child fixture is bundled once, started on a SQLite file, watched line by line and killed with
 * SIGKILL when the test says.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { CompensationRecord, RunRecord, TaskRecord } from "../../src/engine/records.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { bundleChild, type ChildCommand } from "../helpers/child-bundle.js";

const ROOT = join(import.meta.dirname, "../..");
const SOURCE = join(ROOT, "test/fixtures/saga-child.ts");

export type Scenario = "backoff" | "saga" | "slow-undo";
/** A run's SQLite file and the effects ledger its nodes append to. */
export interface RunFiles {
  db: string;
  ledger: string;
}

/**
 * One test file's processes: a temporary folder and the child bundled once, both removed after
 * the file; `files(name)` names a run's database and ledger there, `start` starts a child.
 */
export function sagaProcesses(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `baton-saga-${label}-`));
  let child: ChildCommand | undefined;
  beforeAll(async () => {
    child = await bundleChild(SOURCE, "saga-child");
  });
  afterAll(() => {
    child?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    files: (name: string) => ({ db: join(dir, `${name}.db`), ledger: join(dir, `${name}.ledger`) }),
    start: (scenario: Scenario, files: RunFiles, runId: string, gen: number, input?: unknown) =>
      startChild(child!.args, scenario, files, runId, gen, input),
  };
}

export interface ChildEvent {
  type: string;
  node: string;
  at: number;
  attempt: number;
  status?: string;
  delayMs?: number;
  error?: { message: string };
}

export interface Child {
  /** Epoch ms at which the child printed `ready`. */
  readonly ready: Promise<number>;
  /** Resolves with the first event (`event <json>` line) that `match` accepts. */
  event(match: (e: ChildEvent) => boolean): Promise<ChildEvent>;
  kill(): void;
  /** How the process ended: killed, or exited printing `done <status>`. */
  readonly exit: Promise<{ killed: boolean; status?: string; out: string; err: string }>;
}

function startChild(
  childArgs: readonly string[],
  scenario: Scenario,
  files: RunFiles,
  runId: string,
  gen: number,
  input: unknown = {},
): Child {
  const argv = [scenario, files.db, runId, files.ledger, String(gen), JSON.stringify(input)];
  const proc: ChildProcess = spawn(process.execPath, [...childArgs, ...argv], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let buffered = "";
  const events: ChildEvent[] = [];
  const waiters: Array<{ match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }> = [];
  let onReady: (at: number) => void = () => undefined;
  const ready = new Promise<number>((resolve) => {
    onReady = resolve;
  });
  proc.stdout!.on("data", (d: Buffer) => {
    out += d;
    buffered += d;
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("ready ")) onReady(Number(line.slice(6)));
      if (line.startsWith("event ")) {
        const e = JSON.parse(line.slice(6)) as ChildEvent;
        events.push(e);
        for (const w of [...waiters])
          if (w.match(e)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(e);
          }
      }
      nl = buffered.indexOf("\n");
    }
  });
  proc.stderr!.on("data", (d: Buffer) => {
    err += d;
  });
  const exit = new Promise<{ killed: boolean; status?: string; out: string; err: string }>(
    (resolve, reject) => {
      proc.on("error", reject);
      proc.on("exit", (code, signal) => {
        if (signal === "SIGKILL") return resolve({ killed: true, out, err });
        if (code !== 0) return reject(new Error(`child exited ${code}: ${err || out}`));
        const status = /done (\w+)/.exec(out)?.[1];
        resolve({ killed: false, ...(status ? { status } : {}), out, err });
      });
    },
  );
  return {
    ready,
    exit,
    event(match) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        exit.then(() => reject(new Error(`child ended before the awaited event:\n${out}${err}`)), reject);
      });
    },
    kill: () => proc.kill("SIGKILL"),
  };
}

export interface Stored {
  run?: RunRecord;
  tasks: TaskRecord[];
  compensations: CompensationRecord[];
}

/** What the SQLite file holds for the run, read by a fresh connection. */
export async function readStore(db: string, runId: string): Promise<Stored> {
  if (!existsSync(db)) return { tasks: [], compensations: [] };
  const store = openSqliteStore(db);
  try {
    const run = await store.getRun(runId);
    return {
      ...(run ? { run } : {}),
      tasks: await store.listTasks(runId),
      compensations: await store.listCompensations(runId),
    };
  } finally {
    await store.close();
  }
}
