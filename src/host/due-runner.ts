import type { EventListener } from "../engine/events.js";
import type { Actor } from "../engine/history.js";
import { DEFAULT_LEASE_MS, newOwnerId } from "../engine/ownership.js";
import { type Resumable, recoverRuns } from "../engine/recover.js";
import { StopReason } from "../engine/signals.js";
import type { Store } from "../engine/store.js";
import { crashOf } from "../stores/liveness.js";

export interface DueRunnerOptions {
  readonly store: Store;
  /** The workflow a run belongs to, by name; undefined when this process does not have it. */
  readonly workflow: (name: string) => Resumable | undefined | Promise<Resumable | undefined>;
  /** Who wakes the runs, for their history (default `{ via: "worker" }`). */
  readonly actor?: Actor;
  /** How often to look for due work (default 250 ms). */
  readonly pollMs?: number;
  readonly leaseMs?: number;
  /** Most runs driven here at once (default 10). */
  readonly concurrency?: number;
  /**
   * Drive due runs here (default true). A PostgreSQL worker's claims already take them: it runs
   * only the passes (`onPass`, schedules).
   */
  readonly runs?: boolean;
  /** Also take over runs whose owner is gone (a crashed `baton run` on this machine), every second. */
  readonly recoverCrashed?: boolean;
  /** Called on each pass before due runs are looked for (the schedules' ticks). */
  readonly onPass?: (now: number) => Promise<unknown>;
  /** Engine events of the runs driven here. */
  readonly onEvent?: EventListener;
  /** Each run this runner starts driving, with the promise of where it stops. */
  readonly onDriven?: (runId: string, done: Promise<unknown>) => void;
  readonly onError?: (error: unknown, during: string) => void;
}

export interface DueRunner {
  /** Runs being driven here now. */
  readonly running: number;
  /** Stop looking; runs in flight stop where they are (finished work kept) and are let go. */
  stop(): Promise<void>;
}

/**
 * Runs due work on one store: sleeping runs whose time came, waiting runs whose event or timeout
 * came, delayed starts, schedule ticks (through `onPass`), and, when asked, runs whose owner
 * crashed. Any number of runners (processes) may share a store: each run's lease goes to exactly
 * one of them, and a runner that dies lets its runs go to the others (lease expiry, or at once for
 * a process on the same machine).
 */
export function startDueRunner(options: DueRunnerOptions): DueRunner {
  const { store } = options;
  const pollMs = options.pollMs ?? 250;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const capacity = options.concurrency ?? 10;
  const actor = options.actor ?? { via: "worker" };
  const onError = options.onError ?? ((error, during) => console.error(`baton: ${during} failed:`, error));
  const stopping = new AbortController();
  const inFlight = new Map<string, Promise<unknown>>();
  let lastRecovery = 0;

  const drive = (runId: string, done: Promise<unknown>) => {
    const settled = done
      .catch((error: unknown) => onError(error, `run ${runId}`))
      .finally(() => inFlight.delete(runId));
    inFlight.set(runId, settled);
    options.onDriven?.(runId, done);
  };

  async function wakeDue(): Promise<void> {
    const room = capacity - inFlight.size;
    if (room <= 0) return;
    for (const run of await store.listDue(Date.now(), { limit: room })) {
      if (inFlight.has(run.id) || stopping.signal.aborted) continue;
      const graph = await options.workflow(run.graph);
      if (!graph) continue;
      const taken = await store.acquireRun(run.id, { id: newOwnerId(), leaseMs });
      if (!taken.acquired) continue; // another runner took it first
      const done = graph.resume(run.id, undefined, {
        adopt: { owner: taken.owner, ...(taken.previous ? { previous: taken.previous } : {}) },
        actor,
        leaseMs,
        hold: 0,
        signal: stopping.signal,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
      drive(run.id, done);
    }
  }

  async function recoverCrashed(): Promise<void> {
    if (Date.now() - lastRecovery < 1_000) return;
    lastRecovery = Date.now();
    const report = await recoverRuns({
      store,
      workflow: options.workflow,
      actor: { ...actor, via: "recover" },
      crashed: (run) => crashOf(run) !== undefined && !inFlight.has(run.id),
      leaseMs,
      hold: 0,
      signal: stopping.signal,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    for (const r of report.recovered) drive(r.runId, r.done);
  }

  async function pass(): Promise<void> {
    if (options.onPass)
      await options.onPass(Date.now()).catch((e: unknown) => onError(e, "a schedules pass"));
    if (options.runs === false) return;
    await wakeDue().catch((e: unknown) => onError(e, "waking due runs"));
    if (options.recoverCrashed) await recoverCrashed().catch((e: unknown) => onError(e, "recovering runs"));
  }

  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await pass();
      if (stopping.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    get running() {
      return inFlight.size;
    },
    async stop() {
      stopping.abort(new StopReason("the runner is stopping"));
      wake?.();
      await loop;
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
