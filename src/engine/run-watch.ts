import { CancelReason, StopReason } from "./signals.js";
import type { Store } from "./store.js";

/** How often a driven run looks for a cancel request from another process. */
const CANCEL_POLL_MS = 500;

export interface RunWatch {
  /** Set when the lease was found lost: someone else drives the run now. */
  readonly lost: boolean;
  stop(): void;
}

/**
 * Watch a run while this process drives it: renew its lease every third of the lease time, and look
 * for a cancel request from another process twice a second (a read, off the per-step path). A lease
 * that could not be renewed stops the run here: another process has taken it over, or may.
 * The timer keeps the process alive while the run executes: a node waiting only on its signal is
 * still work in progress.
 */
export function watchRun(
  store: Store,
  runId: string,
  controller: AbortController,
  lease: { ownerId: string; leaseMs: number } | undefined,
): RunWatch {
  let lost = false;
  let renewAt = Date.now() + (lease ? lease.leaseMs / 3 : Number.POSITIVE_INFINITY);
  const tick = () => {
    if (!store.local)
      store.getRun(runId).then(
        (run) => {
          if (run?.cancelRequested && !controller.signal.aborted)
            controller.abort(new CancelReason(run.cancelRequested.compensate));
        },
        () => undefined,
      );
    if (!lease || Date.now() < renewAt) return;
    renewAt = Date.now() + lease.leaseMs / 3;
    store.heartbeat(lease.ownerId, [runId], lease.leaseMs).then(
      (renewed) => {
        if (renewed.length > 0 || controller.signal.aborted) return;
        lost = true;
        controller.abort(new StopReason("its lease was lost to another process"));
      },
      () => {
        renewAt = 0; // a failed renewal is tried again at the next tick; the lease outlasts a few
      },
    );
  };
  const timer =
    store.local && !lease
      ? undefined
      : setInterval(tick, Math.min(CANCEL_POLL_MS, (lease?.leaseMs ?? CANCEL_POLL_MS) / 3));
  return {
    get lost() {
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
