import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { EXPECTED_TOTAL, expectedKeys, PARALLEL_STEPS } from "../fixtures/crash-graph.js";
import { bundleChild, type ChildCommand } from "../helpers/child-bundle.js";

/**
 * Real processes, real SIGKILL: a child runs the 20-step workflow on SQLite, the parent kills it
 * at a random moment (sometimes the next one too), and a fresh process resumes the run to its end.
 * `CRASH_TRIALS=300` runs more trials than the default 30.
 */
const TRIALS = Number(process.env.CRASH_TRIALS ?? 30);
const CONCURRENCY = Number(process.env.CRASH_CONCURRENCY ?? 3);
const ROOT = join(import.meta.dirname, "../..");
const SOURCE = join(ROOT, "test/fixtures/crash-workflow.ts");
const dir = mkdtempSync(join(tmpdir(), "baton-crash-"));
/** How to start a child: the fixture bundled once. */
let child: ChildCommand;

beforeAll(async () => {
  child = await bundleChild(SOURCE, "crash-workflow");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  child?.dispose();
});

interface Generation {
  /** ms from `ready` to the kill, or undefined when the process ran to its end. */
  killedAfter?: number;
  /** What the store held once this process was gone: idempotency key -> nonce of its stored write. */
  stored: Map<string, string>;
  status?: string;
}

interface Trial {
  runId: string;
  generations: Generation[];
  ledger: Array<{ key: string; gen: number; nonce: string }>;
  final: {
    status: string;
    trail: Array<{ k: string; n: string }>;
    total: number;
    records: Map<string, string>;
  };
}

/** Start a child; resolve with how long it ran after `ready` and whether we killed it. */
function runChild(db: string, runId: string, ledger: string, gen: number, killAfterMs?: number) {
  return new Promise<{ killed: boolean; ranMs: number; out: string; err: string }>((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [...child.args, db, runId, ledger, String(gen)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let readyAt = 0;
    proc.stdout!.on("data", (d: Buffer) => {
      out += d;
      if (!readyAt && out.includes("ready\n")) {
        readyAt = performance.now();
        // A process that finished first is not killed (kill() on an exited child does nothing).
        if (killAfterMs !== undefined) setTimeout(() => proc.kill("SIGKILL"), killAfterMs);
      }
    });
    proc.stderr!.on("data", (d: Buffer) => {
      err += d;
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      const ranMs = readyAt ? performance.now() - readyAt : 0;
      if (signal === "SIGKILL") return resolve({ killed: true, ranMs, out, err });
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err || out}`));
      resolve({ killed: false, ranMs, out, err });
    });
  });
}

/** Idempotency key -> nonce of every finished task's stored write. */
async function storedWrites(
  db: string,
  runId: string,
): Promise<{ status?: string; writes: Map<string, string> }> {
  if (!existsSync(db)) return { writes: new Map() };
  const store = openSqliteStore(db);
  try {
    const run = await store.getRun(runId);
    const writes = new Map<string, string>();
    for (const r of await store.listTasks(runId)) {
      if (r.status !== "succeeded" || r.step === 0) continue;
      const trail = r.writes?.find(([key]) => key === "trail")?.[1] as { k: string; n: string };
      writes.set(trail.k, trail.n);
    }
    return { status: run?.status, writes };
  } finally {
    await store.close();
  }
}

async function trial(index: number, windowMs: number): Promise<Trial> {
  const runId = `crash-${index}`;
  const db = join(dir, `${runId}.db`);
  const ledgerFile = join(dir, `${runId}.ledger`);
  const generations: Generation[] = [];
  // One kill, and in a third of the trials a second kill of the process that resumes.
  const kills = Math.random() < 1 / 3 ? 2 : 1;
  let gen = 1;
  for (; gen <= kills; gen++) {
    const delay = Math.random() * windowMs;
    const { killed } = await runChild(db, runId, ledgerFile, gen, delay);
    const { writes, status } = await storedWrites(db, runId);
    generations.push({
      ...(killed ? { killedAfter: delay } : {}),
      stored: writes,
      ...(status ? { status } : {}),
    });
  }
  const last = await runChild(db, runId, ledgerFile, gen);
  expect(last.out).toMatch(/done completed/);
  const store = openSqliteStore(db);
  const { crashGraph } = await import("../fixtures/crash-graph.js");
  const state = (await crashGraph(store, "/dev/null", 0).getState(runId)).state;
  await store.close();
  const { writes, status } = await storedWrites(db, runId);
  const ledger = existsSync(ledgerFile)
    ? readFileSync(ledgerFile, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [key, g, nonce] = line.split(" ");
          return { key: key!, gen: Number(g), nonce: nonce! };
        })
    : [];
  return {
    runId,
    generations,
    ledger,
    final: { status: status ?? "missing", trail: state.trail, total: state.total, records: writes },
  };
}

/** Whether a kill left a parallel step half done: some of its tasks stored, some not. */
function partlyStored(runId: string, stored: ReadonlyMap<string, string>): boolean {
  return PARALLEL_STEPS.some(({ step, nodes }) => {
    const keys = nodes.map((n) => (n.includes(":") ? `${runId}:${n}` : `${runId}:${n}:${step}`));
    const done = keys.filter((k) => stored.has(k)).length;
    return done > 0 && done < keys.length;
  });
}

/** Everything a trial must show; returns how many nodes ran twice (in flight at a kill). */
function check(t: Trial): number {
  const expected = expectedKeys(t.runId);
  expect(t.final.status).toBe("completed");
  expect(t.final.trail.map((e) => e.k)).toEqual(expected);
  expect(t.final.total).toBe(EXPECTED_TOTAL);
  expect([...t.final.records.keys()].sort()).toEqual([...expected].sort());
  const known = new Set(expected);
  const byKey = new Map<string, Array<{ gen: number; nonce: string }>>();
  for (const e of t.ledger) {
    // Keys are stable: a node that ran again did so under the key it had before.
    expect(known.has(e.key), `unexpected idempotency key ${e.key}`).toBe(true);
    byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  }
  for (const [key, nonce] of t.final.records) {
    // Each stored write came from an execution the ledger saw, and the state is built from them.
    expect(
      byKey.get(key)?.some((e) => e.nonce === nonce),
      `stored write of ${key} not in ledger`,
    ).toBe(true);
    expect(t.final.trail.find((e) => e.k === key)?.n).toBe(nonce);
  }
  t.generations.forEach((g, i) => {
    for (const [key, nonce] of g.stored) {
      // Stored before process i+2 started: no later process ran it, and its record never changed.
      const later = byKey.get(key)!.filter((e) => e.gen > i + 1);
      expect(later, `${key} was stored by generation ≤ ${i + 1} yet ran again`).toEqual([]);
      expect(t.final.records.get(key)).toBe(nonce);
    }
  });
  let reruns = 0;
  for (const entries of byKey.values()) {
    expect(new Set(entries.map((e) => e.gen)).size).toBe(entries.length);
    reruns += entries.length - 1;
  }
  return reruns;
}

describe("crash recovery with real processes and SIGKILL", () => {
  it(`resumes ${TRIALS} randomly killed runs to the right end without re-running stored nodes`, {
    timeout: 90_000 + TRIALS * 3_000,
  }, async () => {
    // Calibrate: how long an unkilled run takes here, so kills spread over the whole run.
    const calibration = await runChild(
      join(dir, "calibrate.db"),
      "calibrate",
      join(dir, "calibrate.ledger"),
      1,
    );
    expect(calibration.out).toMatch(/done completed/);
    const windowMs = calibration.ranMs * 1.2;
    const results: Trial[] = [];
    let next = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const i = next++;
        results.push(await trial(i, windowMs));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    let reruns = 0;
    let midRun = 0;
    let midStep = 0;
    for (const t of results) {
      reruns += check(t);
      const first = t.generations[0]!;
      if (first.killedAfter !== undefined && first.stored.size > 0 && first.stored.size < 26) midRun++;
      midStep += t.generations.filter((g) => partlyStored(t.runId, g.stored)).length;
    }
    const kills = results.reduce(
      (n, t) => n + t.generations.filter((g) => g.killedAfter !== undefined).length,
      0,
    );
    console.log(
      `crash test: ${results.length} trials, ${kills} kills, ${midRun} first kills mid-run, ` +
        `${midStep} inside a parallel step with some branches stored, ` +
        `${reruns} in-flight node(s) ran again, window ${windowMs.toFixed(0)} ms`,
    );
    expect(results).toHaveLength(TRIALS);
    // The kills must actually land inside runs for the test to mean anything.
    expect(midRun).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 3));
    // ...and some inside a parallel step, where finished and unfinished siblings must be told apart.
    expect(midStep).toBeGreaterThanOrEqual(Math.floor(TRIALS / 15));
  });
});
