/**
 * What the saga property tests generate and what they demand of every run, whether its crashes
 * were real SIGKILLs or simulated by a dying store.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { CompensationRecord, RunRecord, TaskRecord } from "../../src/engine/records.js";
import {
  type LedgerEntry,
  SAGA_ATTEMPTS,
  SAGA_NODES,
  SAGA_STEP,
  type SagaNode,
  type SagaPlan,
} from "../fixtures/saga-graph.js";

const node = fc.constantFrom(...SAGA_NODES);

const how = fc.constantFrom("exhaust", "nonRetryable", "abort") as fc.Arbitrary<
  "exhaust" | "nonRetryable" | "abort"
>;
/** `arb` in `weight` cases out of `weight + 1`, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: arb, weight });

/**
 * A node failing for good in two thirds of the plans (else the run completes), transient failures
 * retries absorb, flaky undos, and an undo that always fails in a quarter of the plans.
 */
export const planArb: fc.Arbitrary<SagaPlan> = fc.record({
  fatal: sometimes(fc.record({ node, how }), 2),
  transient: fc.dictionary(
    node,
    fc.record({ failures: fc.integer({ min: 1, max: SAGA_ATTEMPTS - 1 }), afterEffect: fc.boolean() }),
    { maxKeys: 3 },
  ),
  undoTransient: fc.dictionary(node, fc.integer({ min: 1, max: SAGA_ATTEMPTS - 1 }), { maxKeys: 2 }),
  brokenUndo: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: node, weight: 1 }),
});

/** 0, 1 or 2 crashes (one or two in four cases out of five), each made by `crash`. */
export const crashesArb = <T>(crash: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  fc.oneof(
    { arbitrary: fc.constant([] as T[]), weight: 1 },
    { arbitrary: fc.array(crash, { minLength: 1, maxLength: 1 }), weight: 2 },
    { arbitrary: fc.array(crash, { minLength: 2, maxLength: 2 }), weight: 2 },
  );

/** What the store held once a process (or simulated process) `gen` had died. */
export interface CrashSnapshot {
  gen: number;
  tasks: readonly TaskRecord[];
  compensations: readonly CompensationRecord[];
}

export interface Observed {
  runId: string;
  plan: SagaPlan;
  run: RunRecord | undefined;
  tasks: readonly TaskRecord[];
  compensations: readonly CompensationRecord[];
  ledger: readonly LedgerEntry[];
  crashes: readonly CrashSnapshot[];
}

/** The nodes that complete: all, or those that finish despite the fatal one (its sibling too). */
export function completing(plan: SagaPlan): SagaNode[] {
  const fatal = plan.fatal?.node;
  if (!fatal) return [...SAGA_NODES];
  const before: Record<SagaNode, SagaNode[]> = {
    a: [],
    b: ["a", "c"],
    c: ["a", "b"],
    d: ["a", "b", "c"],
    e: ["a", "b", "c", "d"],
  };
  return before[fatal];
}

const keyOf = (runId: string, n: SagaNode) => `${runId}:${n}:${SAGA_STEP[n]}`;

/**
 * The whole contract: the run ended as its plan says; the outside world holds every completed
 * effect exactly once (by key) and, when compensated, every applied effect undone exactly once in
 * reverse completion order; nothing stored before a crash ran again after it; attempts add up.
 */
export function checkSaga(o: Observed): void {
  const { runId, plan } = o;
  const done = completing(plan);
  const doKeys = distinctFirst(o.ledger.filter((e) => e.op === "do"));
  const undos = distinctFirst(o.ledger.filter((e) => e.op === "undo"));
  // Every completed node's effect is in the world exactly once, under its stable key; no other effect is.
  expect(doKeys.map((e) => e.key).sort()).toEqual(done.map((n) => keyOf(runId, n)).sort());
  const succeeded = o.tasks.filter((t) => t.status === "succeeded" && t.step > 0);
  expect(succeeded.map((t) => t.node).sort()).toEqual([...done].sort());
  const completionOrder = [...succeeded].sort((x, y) => x.seq - y.seq).map((t) => t.node as SagaNode);
  checkStatus(o, done, completionOrder);
  const expectedUndos = undoPlan(plan, completionOrder);
  // Undone in reverse completion order, each once, each reversing the effect its node applied.
  expect(undos.map((e) => e.node)).toEqual(expectedUndos);
  for (const u of undos) {
    expect(u.target).toBe(keyOf(runId, u.node as SagaNode));
    expect(u.key).toBe(`${u.target}:undo`);
  }
  if (o.run?.status === "compensated")
    expect(undos.map((u) => u.target).sort()).toEqual(doKeys.map((e) => e.key).sort());
  checkAttempts(o, done);
  checkNoRerun(o);
}

/** First entry per key: an idempotent world applies a key once and ignores repeats. */
function distinctFirst(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.key) && seen.add(e.key));
}

/** Undos expected, in order: reverse completion, stopping before a broken one. */
function undoPlan(plan: SagaPlan, completionOrder: readonly SagaNode[]): SagaNode[] {
  if (!plan.fatal) return [];
  const reverse = [...completionOrder].reverse();
  const broken = plan.brokenUndo ? reverse.indexOf(plan.brokenUndo) : -1;
  return broken >= 0 ? reverse.slice(0, broken) : reverse;
}

function checkStatus(o: Observed, done: readonly SagaNode[], completionOrder: readonly SagaNode[]): void {
  const { plan, run } = o;
  const fatal = plan.fatal;
  if (!fatal) {
    expect(run?.status).toBe("completed");
    expect(o.compensations).toEqual([]);
    return;
  }
  const cause =
    fatal.how === "abort"
      ? {
          code: "RUN_ABORTED",
          node: fatal.node,
          message: `Node "${fatal.node}" ended the run: ${fatal.node} refused`,
        }
      : { code: "NODE_FAILED", node: fatal.node };
  if (done.length === 0) {
    expect(run).toMatchObject({ status: "failed", error: cause });
    return;
  }
  const broken = plan.brokenUndo && completionOrder.includes(plan.brokenUndo) ? plan.brokenUndo : undefined;
  const undone = undoPlan(plan, completionOrder);
  const records = o.compensations.map((c) => [c.node, c.status]);
  if (broken) {
    // Named, with its error, in the run and in the saga log: never swallowed.
    expect(run).toMatchObject({
      status: "compensation_failed",
      error: {
        code: "COMPENSATION_FAILED",
        node: broken,
        message: `Undo of "${broken}" failed after ${SAGA_ATTEMPTS} attempt(s): cannot undo ${broken}`,
      },
    });
    expect(records).toEqual([...undone.map((n) => [n, "done"]), [broken, "failed"]]);
  } else {
    expect(run).toMatchObject({ status: "compensated", error: cause });
    expect(records).toEqual(undone.map((n) => [n, "done"]));
  }
}

/** Stored attempt counts follow the policy and continue across crashes (no attempt numbered twice). */
function checkAttempts(o: Observed, done: readonly SagaNode[]): void {
  for (const t of o.tasks.filter((r) => r.step > 0)) {
    const n = t.node as SagaNode;
    const history = t.history?.map((h) => h.attempt) ?? [t.attempts];
    expect(history, `attempt history of ${n}`).toEqual(Array.from({ length: t.attempts }, (_, i) => i + 1));
    if (done.includes(n))
      expect(t.attempts, `attempts of ${n}`).toBe((o.plan.transient?.[n]?.failures ?? 0) + 1);
    else if (o.plan.fatal?.node === n)
      expect(t).toMatchObject({
        status: "failed",
        attempts: o.plan.fatal.how === "exhaust" ? SAGA_ATTEMPTS : 1,
      });
  }
  for (const n of done) {
    const flaky = o.plan.transient?.[n];
    const applied = new Set(o.ledger.filter((e) => e.op === "do" && e.node === n).map((e) => e.attempt));
    // Effects applied by exactly the attempts that reach them: the last, and failed ones that fail after it.
    const expected = flaky ? (flaky.afterEffect ? range(flaky.failures + 1) : [flaky.failures + 1]) : [1];
    expect([...applied].sort(), `attempts of ${n} that applied its effect`).toEqual(expected);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Work stored before a crash never ran again: neither a finished node nor a finished undo. */
function checkNoRerun(o: Observed): void {
  for (const snap of o.crashes) {
    for (const t of snap.tasks) {
      if (t.status !== "succeeded" || t.step === 0) continue;
      const key = keyOf(o.runId, t.node as SagaNode);
      const later = o.ledger.filter((e) => e.op === "do" && e.key === key && e.gen > snap.gen);
      expect(later, `${key} was stored by generation ${snap.gen} yet ran again`).toEqual([]);
    }
    for (const c of snap.compensations) {
      if (c.status !== "done") continue;
      const later = o.ledger.filter((e) => e.op === "undo-start" && e.node === c.node && e.gen > snap.gen);
      expect(later, `undo of ${c.node} was recorded by generation ${snap.gen} yet ran again`).toEqual([]);
    }
  }
}
