import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readLedger, type SagaPlan } from "../fixtures/saga-graph.js";
import { type ChildEvent, readStore, type Scenario, sagaProcesses } from "./processes.js";
import { type CrashSnapshot, checkSaga, crashesArb, planArb } from "./saga-model.js";

/**
 * The saga property with real processes: each generated case runs a -> [b, c] -> d -> e on SQLite in
 * a child process, SIGKILLs it 0–2 times at random moments (spread over the time that plan takes,
 * compensation included), resumes it in a fresh process each time, and checks the effects ledger
 * the children wrote. `SAGA_PROCESS_RUNS=200` runs more cases than the default 24; `SAGA_SEED` replays a seed.
 * The cases are sampled by fast-check and run a few at a time (processes mostly wait on timers).
 * Where random kills land is chance, so the test asserts only the saga's invariants on them; two
 * directed cases, killed when the child reports a retry or an undo, cover backoff and compensation
 * every time.
 */
const RUNS = Number(process.env.SAGA_PROCESS_RUNS ?? 24);
const CONCURRENCY = Number(process.env.SAGA_CONCURRENCY ?? 4);
const SEED = Number(process.env.SAGA_SEED ?? Date.now() % 2 ** 31);

const saga = sagaProcesses("prop");

interface Case {
  index: number;
  plan: SagaPlan;
  /** Each kill's moment as a fraction of the calibrated run time, after the child is ready. */
  kills: number[];
}

/** When to kill a generation: after a delay, or once the child reports an event. */
type Kill = { delayMs: number } | { on: (e: ChildEvent) => boolean };

/** Run one generation; kill it when `kill` says. Resolves with whether it was killed. */
async function generation(
  name: string,
  runId: string,
  gen: number,
  plan: SagaPlan,
  kill?: Kill,
  scenario: Scenario = "saga",
) {
  const files = saga.files(name);
  const c = saga.start(scenario, files, runId, gen, { plan });
  const readyAt = await c.ready;
  // A process that finished first is not killed (kill() on an exited child does nothing).
  if (kill && "delayMs" in kill) setTimeout(() => c.kill(), kill.delayMs);
  if (kill && "on" in kill)
    c.event(kill.on).then(
      () => c.kill(),
      () => undefined,
    );
  const exit = await c.exit;
  return { ...exit, ranMs: Date.now() - readyAt, files };
}

/** What a finished run left: the store's records and the ledger its processes wrote. */
async function observe(name: string, runId: string, plan: SagaPlan, crashes: CrashSnapshot[]) {
  const stored = await readStore(saga.files(name).db, runId);
  return {
    runId,
    plan,
    run: stored.run,
    tasks: stored.tasks,
    compensations: stored.compensations,
    ledger: readLedger(saga.files(name).ledger),
    crashes,
  };
}

/**
 * One case: first the plan runs unkilled (checked too), to learn how long it takes; then again,
 * killed at moments spread over that time, and resumed by a fresh process after each kill.
 */
async function trial(k: Case) {
  const dry = await generation(`dry-${k.index}`, `dry-${k.index}`, 1, k.plan);
  const observed = [await observe(`dry-${k.index}`, `dry-${k.index}`, k.plan, [])];
  const runId = `prop-${k.index}`;
  const crashes: CrashSnapshot[] = [];
  const phases: string[] = [];
  let gen = 1;
  for (const fraction of k.kills) {
    const g = await generation(runId, runId, gen, k.plan, { delayMs: fraction * dry.ranMs });
    if (!g.killed) break;
    const stored = await readStore(g.files.db, runId);
    crashes.push({ gen, tasks: stored.tasks, compensations: stored.compensations });
    phases.push(phaseOf(stored));
    gen++;
  }
  const last = await generation(runId, runId, gen, k.plan);
  expect(last.status).toMatch(/^(completed|compensated|compensation_failed|failed)$/);
  observed.push(await observe(runId, runId, k.plan, crashes));
  return { observed, phases };
}

/** Where a kill landed, for the tally. */
function phaseOf(stored: Awaited<ReturnType<typeof readStore>>): string {
  const status = stored.run?.status;
  if (status === undefined) return "before the run";
  if (status === "compensating") return "compensation";
  if (stored.tasks.some((t) => t.status === "retrying")) return "backoff";
  return status === "running" ? "forward" : "after the end";
}

describe("saga property with real processes and SIGKILL", () => {
  it(`holds over ${RUNS} generated cases (seed from SAGA_SEED or the clock)`, {
    timeout: 60_000 + RUNS * 3_000,
  }, async () => {
    const cases = fc
      .sample(
        fc.noBias(fc.tuple(planArb, crashesArb(fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000)))),
        {
          numRuns: RUNS,
          seed: SEED,
        },
      )
      .map(([plan, kills], index): Case => ({ index, plan, kills }));
    const outcomes = new Map<string, number>();
    const phases = new Map<string, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const k = cases[next++]!;
        const { observed, phases: where } = await trial(k);
        for (const o of observed) {
          try {
            checkSaga(o);
          } catch (error) {
            failures.push(`${o.runId} ${JSON.stringify(k)} (seed ${SEED}): ${(error as Error).message}`);
          }
        }
        const status = observed[1]!.run?.status ?? "missing";
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
        for (const p of where) phases.set(p, (phases.get(p) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const tally = (m: Map<string, number>) => JSON.stringify(Object.fromEntries(m));
    const kills = [...phases.values()].reduce((a, b) => a + b, 0);
    console.log(
      `saga property (processes): ${RUNS} cases, seed ${SEED}, ${kills} kills ${tally(phases)}, ` +
        `outcomes ${tally(outcomes)}`,
    );
    expect(failures).toEqual([]);
  });

  // Slow undos and backoffs (SLOW_UNDO_TIMING: 200 ms undos, 300 ms backoff) leave a wide margin
  // between the reported event and the next record, so each kill lands in the phase it names.
  it.each([
    {
      phase: "backoff",
      plan: { transient: { b: { failures: 1, afterEffect: true } } },
      on: (e: ChildEvent) => e.type === "node_retrying",
    },
    {
      phase: "compensation",
      plan: { fatal: { node: "e", how: "nonRetryable" } },
      on: (e: ChildEvent) => e.type === "compensation_step" && e.status === "done",
    },
  ] as const)("holds when killed in $phase", { timeout: 30_000 }, async ({ phase, plan, on }) => {
    const runId = `directed-${phase}`;
    const killed = await generation(runId, runId, 1, plan, { on }, "slow-undo");
    expect(killed.killed).toBe(true);
    const stored = await readStore(killed.files.db, runId);
    expect(phaseOf(stored)).toBe(phase);
    const crashes = [{ gen: 1, tasks: stored.tasks, compensations: stored.compensations }];
    const last = await generation(runId, runId, 2, plan, undefined, "slow-undo");
    expect(last.status).toMatch(/^(completed|compensated)$/);
    checkSaga(await observe(runId, runId, plan, crashes));
  });
});
