import { newOwnerId } from "./ownership.js";
import type { RunOwner, RunRecord, RunStatus } from "./records.js";
import { stopsRun } from "./records.js";
import { onAbort } from "./signals.js";
import type { Store } from "./store.js";
import { onWakeNotice } from "./wake-notice.js";

/** How often a caller holding a waiting run looks at the store (an event from elsewhere, a cancel). */
const LOOK_MS = 250;

/** A run stopped for a time or an event: due again later, driven by whoever finds it due. */
export const waitsForTime = (status: RunStatus): boolean =>
  status === "sleeping" || status === "waiting" || status === "pending";

export interface HoldEnv<R> {
  readonly store: Store;
  readonly runId: string;
  /** Wait in this process for the run to be due as long as that comes within this many ms. */
  readonly holdMs: number;
  readonly leaseMs: number;
  readonly signal: AbortSignal | undefined;
  /** Drive the run, now due, under the lease just taken here. */
  drive(adopt: { owner: RunOwner; previous?: RunOwner }): Promise<R>;
  /** The run as it stands (someone else moved it on). */
  current(run: RunRecord): Promise<R>;
}

/**
 * Keep a run that sleeps, waits for an event or starts later in this process while it becomes due
 * within `holdMs`: at its wake time (or when an event comes) take its lease and drive it here, as
 * any runner would. The run is stored as waiting all along and nobody's: if this process dies, a
 * runner wakes it on time. Returns once the run stops for something else, or would wake too late.
 */
export async function holdRun<R extends { status: RunStatus }>(first: R, env: HoldEnv<R>): Promise<R> {
  let result = first;
  const deadline = Date.now() + env.holdMs;
  while (waitsForTime(result.status) && !env.signal?.aborted) {
    const run = await env.store.getRun(env.runId);
    if (!run) return result;
    if (!waitsForTime(run.status)) {
      // Someone else drives it (a runner was quicker) or ended it: wait for it to stop, or report it.
      if (stopsRun(run.status)) return env.current(run);
      if (!(await pause(Math.min(LOOK_MS, deadline - Date.now()), env))) return env.current(run);
      continue;
    }
    const [due] = await env.store.listDue(Date.now(), { runId: env.runId, limit: 1 });
    if (due) {
      const taken = await env.store.acquireRun(env.runId, { id: newOwnerId(), leaseMs: env.leaseMs });
      if (taken.acquired) {
        result = await env.drive({
          owner: taken.owner,
          ...(taken.previous ? { previous: taken.previous } : {}),
        });
        continue;
      }
    }
    const nextLook = Math.min(run.wakeAt ?? Number.POSITIVE_INFINITY, Date.now() + LOOK_MS);
    if (nextLook > deadline) return env.current(run);
    await pause(nextLook - Date.now(), env);
  }
  return result;
}

/** Wait `ms`, less if an event for the run is sent from this process; false if aborted or too late. */
function pause(ms: number, env: { runId: string; signal: AbortSignal | undefined }): Promise<boolean> {
  if (ms < 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      offNotice();
      offAbort?.();
      resolve(ok);
    };
    const timer = setTimeout(() => done(true), ms);
    const offNotice = onWakeNotice(env.runId, () => done(true));
    const offAbort = env.signal ? onAbort(env.signal, () => done(false)) : undefined;
  });
}
