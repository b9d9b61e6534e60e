import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { registerActive } from "../../src/engine/active-runs.js";
import type { Store } from "../../src/engine/store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import {
  type Effects,
  type LedgerEntry,
  type SagaPlan,
  type SagaTiming,
  sagaGraph,
} from "../fixtures/saga-graph.js";
import { dyingStore, until } from "../stores/contract/helpers.js";
import { type CrashSnapshot, checkSaga, crashesArb, planArb } from "./saga-model.js";

/**
 * The saga property in-process: a -> [b, c] -> d -> e under random failure plans and 0–2 crashes,
 * each simulated by a store that dies at its n-th write (the write lost, or landed), after which
 * the dead "process" does nothing more; a fresh engine resumes. `SAGA_RUNS=500` for more cases.
 * The same property with real processes and SIGKILL is in saga-property.int.test.ts.
 */
const RUNS = Number(process.env.SAGA_RUNS ?? 100);

const TIMING: SagaTiming = { workMs: () => Math.floor(Math.random() * 3), undoMs: 1, retryMs: 1 };

type Method = "createRun" | "updateRun" | "putTask" | "putCheckpoint" | "putCompensation";
interface Crash {
  /** Dies at the `nth` write of its generation, the `nth` write of one kind, or just after its `nth` effect. */
  on: "any" | Method | "effect";
  nth: number;
  /** The write is lost (`before`) or lands (`after`). */
  when: "before" | "after";
}
const when = fc.constantFrom("before", "after") as fc.Arbitrary<"before" | "after">;
const crashArb = crashesArb<Crash>(
  fc.oneof(
    fc.record({ on: fc.constant("any" as const), nth: fc.integer({ min: 1, max: 24 }), when }),
    fc.record({
      on: fc.constantFrom(
        "putTask",
        "putCheckpoint",
        "putCompensation",
        "updateRun",
        "effect",
      ) as fc.Arbitrary<Method | "effect">,
      nth: fc.integer({ min: 1, max: 5 }),
      when,
    }),
  ),
);

const never = () => new Promise<never>(() => undefined);

/**
 * One "process": the store it writes through dies at its crash point, and from then on it applies
 * no effect (a real SIGKILL stops everything at once; here its promises are merely left hanging).
 */
function generation(inner: Store, crash: Crash | undefined, gen: number, ledger: LedgerEntry[]) {
  let writes = 0;
  let applied = 0;
  let killed = false; // just after an effect: nothing of this process happens after it
  const dying = crash
    ? dyingStore(inner, (method) => {
        if (killed) return "before";
        if (crash.on === "effect" || (crash.on !== "any" && crash.on !== method)) return undefined;
        return ++writes === crash.nth ? crash.when : undefined;
      })
    : undefined;
  const effects: Effects = async (e) => {
    if (killed || dying?.dead) await never();
    ledger.push({ ...e, gen, at: Date.now() });
    if (crash?.on === "effect" && ++applied === crash.nth) killed = true;
  };
  return { store: dying ?? inner, effects, dead: () => killed || dying?.dead === true };
}

let cases = 0;

/** Run the plan through generations of engines, each dying at its crash point, until the run ends. */
async function runCase(plan: SagaPlan, crashes: readonly Crash[]) {
  const runId = `saga-${++cases}`;
  const inner = new MemoryStore();
  const ledger: LedgerEntry[] = [];
  const snapshots: CrashSnapshot[] = [];
  const phases: string[] = [];
  for (let gen = 1; ; gen++) {
    const { store, effects, dead } = generation(inner, crashes[gen - 1], gen, ledger);
    const graph = sagaGraph(store, effects, TIMING);
    const existing = await inner.getRun(runId);
    let ended = false;
    if (!existing) void graph.run({ plan }, { runId }).then(() => (ended = true));
    else if (existing.status === "running" || existing.status === "compensating")
      void graph.resume(runId).then(() => (ended = true));
    else break;
    await until(() => ended || dead(), 10_000);
    if (ended) break;
    // A real crash takes this process's registry of running runs, and its hold on the run, with it.
    registerActive(runId, new AbortController())();
    const owner = (await inner.getRun(runId))?.owner;
    if (owner) await inner.releaseRun(owner.id, runId);
    const tasks = await inner.listTasks(runId);
    snapshots.push({ gen, tasks, compensations: await inner.listCompensations(runId) });
    // Where it died, for the tally: in compensation, in a backoff, or elsewhere on the forward path.
    const status = (await inner.getRun(runId))?.status;
    phases.push(
      status === "compensating"
        ? "compensation"
        : tasks.some((t) => t.status === "retrying")
          ? "backoff"
          : "forward",
    );
  }
  return {
    runId,
    plan,
    run: await inner.getRun(runId),
    tasks: await inner.listTasks(runId),
    compensations: await inner.listCompensations(runId),
    ledger,
    crashes: snapshots,
    phases,
  };
}

describe("saga property: random failures and crashes (in-process, dying store)", () => {
  it(`leaves the world completed or compensated exactly once, over ${RUNS} cases`, {
    timeout: 60_000 + RUNS * 500,
  }, async () => {
    const outcomes = new Map<string, number>();
    const phases = new Map<string, number>();
    let crashed = 0;
    await fc.assert(
      fc.asyncProperty(planArb, crashArb, async (plan, crashes) => {
        const observed = await runCase(plan, crashes);
        checkSaga(observed);
        const status = observed.run?.status ?? "missing";
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
        crashed += observed.crashes.length;
        for (const p of observed.phases) phases.set(p, (phases.get(p) ?? 0) + 1);
      }),
      { numRuns: RUNS, ...(process.env.SAGA_SEED ? { seed: Number(process.env.SAGA_SEED) } : {}) },
    );
    const tally = (m: Map<string, number>) => JSON.stringify(Object.fromEntries(m));
    console.log(
      `saga property (in-process): ${RUNS} cases, ${crashed} crashes ${tally(phases)}, outcomes ${tally(outcomes)}`,
    );
    // The cases must cover every ending, and crashes everywhere, for the property to mean anything.
    for (const status of ["completed", "compensated", "compensation_failed", "failed"])
      expect(outcomes.get(status) ?? 0, status).toBeGreaterThan(0);
    for (const phase of ["forward", "backoff", "compensation"])
      expect(phases.get(phase) ?? 0, phase).toBeGreaterThan(0);
    expect(crashed).toBeGreaterThanOrEqual(RUNS / 3);
  });
});
