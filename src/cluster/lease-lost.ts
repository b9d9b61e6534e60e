import { BatonError } from "../errors.js";
import type { Fence } from "../stores/postgres/cluster-store.js";

/**
 * This worker no longer holds the lease it was working under: it expired (the worker stalled, or
 * its heartbeats failed) or another worker took the work over. Whatever it was doing must stop,
 * and nothing it writes is stored.
 */
export class LeaseLostError extends BatonError {
  constructor(fence: Fence, why = "its lease is no longer held") {
    const what = fence.kind === "run" ? `run ${fence.runId}` : `task ${fence.taskId} of run ${fence.runId}`;
    super("RUN_STATE", `Worker ${fence.owner} stopped working on ${what}: ${why}`, {
      runId: fence.runId,
      ...(fence.kind === "task" ? { step: fence.step } : {}),
    });
  }
}

/** Why a worker stopped something it held: shutting down after its grace period. */
export class ShutdownReason {
  readonly reason = "the worker is shutting down";
}
