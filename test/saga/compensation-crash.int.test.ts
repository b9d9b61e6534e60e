import { describe, expect, it } from "vitest";
import { type LedgerEntry, readLedger, type SagaPlan } from "../fixtures/saga-graph.js";
import { type Child, readStore, sagaProcesses } from "./processes.js";

/**
 * SIGKILL in the middle of compensation, on SQLite with real processes. The saga a -> [b, c] -> d -> e
 * fails at e; its undos (d, b, c, a: b finishes after c) take 400 ms each, half before applying
 * their effect and half after, so a kill 100 ms after one undo is recorded lands inside the next.
 */
const { files, start } = sagaProcesses("undo");

const KILL_AFTER_MS = 100;
const undoneBy = (ledger: readonly LedgerEntry[]) =>
  ledger.filter((e) => e.op === "undo").map((e) => [e.node, e.gen]);
const startsOf = (ledger: readonly LedgerEntry[], node: string) =>
  ledger.filter((e) => e.op === "undo-start" && e.node === node).map((e) => e.gen);

/** Kill `c` `KILL_AFTER_MS` after the first compensation event `match` accepts; return what is stored. */
async function killAfter(
  c: Child,
  f: ReturnType<typeof files>,
  runId: string,
  match: (node: string, status?: string) => boolean,
) {
  await c.event((e) => e.type === "compensation_step" && match(e.node, e.status));
  await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
  c.kill();
  expect((await c.exit).killed).toBe(true);
  const stored = await readStore(f.db, runId);
  expect(stored.run?.status).toBe("compensating");
  return stored;
}

describe.concurrent("SIGKILL during compensation (SQLite, real processes)", () => {
  it("finishes the undos left after two kills, in reverse order, never repeating a finished one", async () => {
    const f = files("compensated");
    const runId = "undo-compensated";
    const plan: SagaPlan = { fatal: { node: "e", how: "nonRetryable" } };
    const c1 = start("slow-undo", f, runId, 1, { plan });
    let stored = await killAfter(c1, f, runId, (n, s) => n === "d" && s === "done");
    expect(stored.compensations.map((c) => [c.node, c.status])).toEqual([["d", "done"]]);
    const c2 = start("slow-undo", f, runId, 2);
    stored = await killAfter(c2, f, runId, (n, s) => n === "b" && s === "done");
    expect(stored.compensations.map((c) => [c.node, c.status])).toEqual([
      ["d", "done"],
      ["b", "done"],
    ]);
    const c3 = start("slow-undo", f, runId, 3);
    expect((await c3.exit).status).toBe("compensated");

    const ledger = readLedger(f.ledger);
    // Forward effects once each (generation 1); undone once each, in reverse completion order.
    expect(ledger.filter((e) => e.op === "do").map((e) => [e.node, e.gen])).toEqual([
      ["a", 1],
      ["c", 1],
      ["b", 1],
      ["d", 1],
    ]);
    expect(undoneBy(ledger)).toEqual([
      ["d", 1],
      ["b", 2],
      ["c", 3],
      ["a", 3],
    ]);
    for (const e of ledger.filter((x) => x.op === "undo")) expect(`${e.target}:undo`).toBe(e.key);
    // The undos in flight at each kill ran again in the next process; the finished ones never did.
    expect(["d", "b", "c", "a"].map((n) => startsOf(ledger, n))).toEqual([[1], [1, 2], [2, 3], [3]]);
    stored = await readStore(f.db, runId);
    const seqOrder = stored.tasks
      .filter((t) => t.status === "succeeded" && t.step > 0)
      .sort((x, y) => x.seq - y.seq)
      .map((t) => t.node);
    expect(seqOrder).toEqual(["a", "c", "b", "d"]);
    expect(stored.compensations.map((c) => [c.node, c.status, c.attempts])).toEqual([
      ["d", "done", 1],
      ["b", "done", 1],
      ["c", "done", 1],
      ["a", "done", 1],
    ]);
    // The run still says why it was compensated.
    expect(stored.run).toMatchObject({
      status: "compensated",
      error: { code: "NODE_FAILED", node: "e", message: 'Node "e" failed: e rejected' },
    });
  });

  it("ends compensation_failed naming the broken undo and its error, after kills before and inside it", async () => {
    const f = files("broken");
    const runId = "undo-broken";
    const plan: SagaPlan = { fatal: { node: "e", how: "exhaust" }, brokenUndo: "c" };
    const c1 = start("slow-undo", f, runId, 1, { plan });
    await killAfter(c1, f, runId, (n, s) => n === "d" && s === "done");
    // Generation 2 undoes b, then is killed while c's undo waits to be retried.
    const c2 = start("slow-undo", f, runId, 2);
    const stored2 = await killAfter(c2, f, runId, (n, s) => n === "c" && s === "retrying");
    expect(stored2.compensations.map((c) => [c.node, c.status])).toEqual([
      ["d", "done"],
      ["b", "done"],
    ]);
    const c3 = start("slow-undo", f, runId, 3);
    expect((await c3.exit).status).toBe("compensation_failed");

    const message = 'Undo of "c" failed after 3 attempt(s): cannot undo c';
    const stored = await readStore(f.db, runId);
    expect(stored.run).toMatchObject({
      status: "compensation_failed",
      error: { code: "COMPENSATION_FAILED", node: "c", message },
    });
    expect(stored.compensations.map((c) => [c.node, c.status, c.error?.message])).toEqual([
      ["d", "done", undefined],
      ["b", "done", undefined],
      ["c", "failed", message],
    ]);
    const ledger = readLedger(f.ledger);
    // d and b undone once; c never (it cannot be); a not attempted: compensation stops at c.
    expect(undoneBy(ledger)).toEqual([
      ["d", 1],
      ["b", 2],
    ]);
    expect(startsOf(ledger, "a")).toEqual([]);
    expect(startsOf(ledger, "c").length).toBeGreaterThanOrEqual(4); // 1+ in generation 2, 3 in generation 3
    // A later process finds the failure as it was left: reported, not retried into silence.
    const c4 = start("slow-undo", f, runId, 4);
    expect((await c4.exit).status).toBe("compensation_failed");
    expect(readLedger(f.ledger)).toHaveLength(ledger.length);
  });
});
