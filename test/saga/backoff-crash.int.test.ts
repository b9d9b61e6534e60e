import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../src/engine/records.js";
import { BACKOFF, type LedgerEntry, readLedger } from "../fixtures/saga-graph.js";
import { readStore, sagaProcesses } from "./processes.js";

/**
 * SIGKILL while a node waits out its backoff (2 s between attempts), on SQLite with real processes.
 * A fresh process must continue the attempt count where the dead one stopped and wait only what is
 * left of the stored `nextDueAt`, not a whole new delay, nor none at all.
 */
const { files, start } = sagaProcesses("backoff");

/** How long after the retry is announced the process dies: well inside the 2 s wait. */
const KILL_AFTER_MS = 700;

const flakyOf = (tasks: readonly TaskRecord[]) => tasks.find((t) => t.node === "flaky");
const attemptsIn = (ledger: readonly LedgerEntry[]) =>
  ledger.filter((e) => e.op === "attempt").map((e) => ({ attempt: e.attempt, gen: e.gen }));

/**
 * Start generation `gen` (a resume when gen > 1) and kill it `KILL_AFTER_MS` into the backoff after
 * attempt `attempt`. Returns when the process started and the retrying record it left behind.
 */
async function killDuringBackoff(f: ReturnType<typeof files>, runId: string, gen: number, attempt: number) {
  const c = start("backoff", f, runId, gen, { succeedOn: 0 });
  const readyAt = await c.ready;
  const retry = await c.event((e) => e.type === "node_retrying" && e.attempt === attempt);
  await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
  c.kill();
  expect((await c.exit).killed).toBe(true);
  const stored = await readStore(f.db, runId);
  expect(stored.run?.status).toBe("running"); // as the dead process left it
  const flaky = flakyOf(stored.tasks)!;
  expect(flaky).toMatchObject({
    status: "retrying",
    attempts: attempt,
    error: { message: `attempt ${attempt} failed` },
  });
  expect(flaky.nextDueAt).toBe(retry.at + BACKOFF.delayMs);
  expect(flaky.history?.map((h) => h.attempt)).toEqual(Array.from({ length: attempt }, (_, i) => i + 1));
  return { readyAt, nextDueAt: flaky.nextDueAt! };
}

/** The resumed attempt waited for the stored due time, and only for it. */
function expectHonoured(ledger: readonly LedgerEntry[], attempt: number, resumedAt: number, dueAt: number) {
  const started = ledger.find((e) => e.op === "attempt" && e.attempt === attempt)!;
  // The fresh process was up before the due time: it really had to wait.
  expect(resumedAt).toBeLessThan(dueAt);
  expect(started.at).toBeGreaterThanOrEqual(dueAt);
  // A countdown started afresh would begin a whole delay after the process came up.
  expect(started.at - resumedAt).toBeLessThan(BACKOFF.delayMs - 250);
}

describe.concurrent("SIGKILL during retry backoff (SQLite, real processes)", () => {
  it("resumes the countdown and the attempt count after two kills, then completes", async () => {
    const f = files("completes");
    const runId = "backoff-completes";
    // Generation 1: attempt 1 fails; killed while waiting for attempt 2.
    const c1 = start("backoff", f, runId, 1, { succeedOn: 3 });
    const retry1 = await c1.event((e) => e.type === "node_retrying" && e.attempt === 1);
    expect(retry1.delayMs).toBe(BACKOFF.delayMs);
    await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
    c1.kill();
    expect((await c1.exit).killed).toBe(true);
    const first = flakyOf((await readStore(f.db, runId)).tasks)!;
    expect(first).toMatchObject({ status: "retrying", attempts: 1, nextDueAt: retry1.at + BACKOFF.delayMs });
    // Generation 2 resumes: attempt 2 runs at the stored due time, fails; killed in the next wait.
    const second = await killDuringBackoff(f, runId, 2, 2);
    expectHonoured(readLedger(f.ledger), 2, second.readyAt, first.nextDueAt!);
    // Generation 3 resumes: attempt 3 succeeds.
    const c3 = start("backoff", f, runId, 3);
    const resumedAt = await c3.ready;
    expect((await c3.exit).status).toBe("completed");
    const ledger = readLedger(f.ledger);
    expectHonoured(ledger, 3, resumedAt, second.nextDueAt);
    // One call per attempt, each by the process alive at the time: no attempt ran twice or was skipped.
    expect(attemptsIn(ledger)).toEqual([
      { attempt: 1, gen: 1 },
      { attempt: 2, gen: 2 },
      { attempt: 3, gen: 3 },
    ]);
    expect(ledger.filter((e) => e.op === "do").map((e) => [e.node, e.gen])).toEqual([["book", 1]]);
    const stored = await readStore(f.db, runId);
    expect(stored.run?.status).toBe("completed");
    const flaky = flakyOf(stored.tasks)!;
    expect(flaky).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(flaky.history?.map((h) => [h.attempt, h.error?.message])).toEqual([
      [1, "attempt 1 failed"],
      [2, "attempt 2 failed"],
      [3, undefined],
    ]);
    expect(stored.compensations).toEqual([]);
  });

  it("spends only the attempts left after a kill, then fails for good and compensates", async () => {
    const f = files("fails");
    const runId = "backoff-fails";
    const first = await killDuringBackoff(f, runId, 1, 1);
    const c2 = start("backoff", f, runId, 2);
    const resumedAt = await c2.ready;
    const retry2 = await c2.event((e) => e.type === "node_retrying" && e.attempt === 2);
    expect((await c2.exit).status).toBe("compensated");
    const ledger = readLedger(f.ledger);
    expectHonoured(ledger, 2, resumedAt, first.nextDueAt);
    const third = ledger.find((e) => e.op === "attempt" && e.attempt === 3)!;
    expect(third.at).toBeGreaterThanOrEqual(retry2.at + BACKOFF.delayMs);
    // Three attempts in all (the policy), not three more after the crash.
    expect(attemptsIn(ledger)).toEqual([
      { attempt: 1, gen: 1 },
      { attempt: 2, gen: 2 },
      { attempt: 3, gen: 2 },
    ]);
    const stored = await readStore(f.db, runId);
    expect(stored.run).toMatchObject({
      status: "compensated",
      error: {
        code: "NODE_FAILED",
        node: "flaky",
        message: 'Node "flaky" failed after 3 attempts: attempt 3 failed',
      },
    });
    expect(flakyOf(stored.tasks)).toMatchObject({ status: "failed", attempts: 3 });
    expect(flakyOf(stored.tasks)!.history?.map((h) => h.attempt)).toEqual([1, 2, 3]);
    // The booking made by generation 1 was undone, once, by generation 2.
    const book = ledger.filter((e) => e.node === "book").map((e) => [e.op, e.key, e.gen]);
    expect(book).toEqual([
      ["do", `${runId}:book:1`, 1],
      ["undo", `${runId}:book:1:undo`, 2],
    ]);
    expect(stored.compensations.map((c) => [c.node, c.status])).toEqual([["book", "done"]]);
  });
});
