import type { RunStatus } from "../engine/records.js";
import { type ErrorInfo, errorInfo } from "../errors.js";

/** Everything a worker reports, by type. Times are epoch ms. */
export interface WorkerEventMap {
  worker_started: { queues?: readonly string[]; concurrency: number; taskConcurrency: number };
  /** A run was leased; `takenOverFrom` names the worker whose lease had expired. */
  run_claimed: { runId: string; graph: string; attempts: number; takenOverFrom?: string };
  /** The engine began executing the claimed run (its state is loaded). */
  run_started: { runId: string };
  run_finished: { runId: string; status: RunStatus };
  run_lost: { runId: string; why: string };
  run_released: { runId: string };
  step_distributed: { runId: string; step: number; tasks: number };
  task_claimed: { runId: string; step: number; taskId: string; attempts: number; takenOverFrom?: string };
  /** `outcome`: finished, failed, interrupted, aborted (ended the run), or yielded (a retry is due later). */
  task_finished: { runId: string; step: number; taskId: string; outcome: string };
  task_lost: { runId: string; step: number; taskId: string; why: string };
  task_released: { runId: string; step: number; taskId: string };
  error: { during: string; error: ErrorInfo; runId?: string };
  worker_stopping: { graceMs: number };
  worker_stopped: Record<never, never>;
}

export type WorkerEventType = keyof WorkerEventMap;
export type WorkerEvent = {
  [K in WorkerEventType]: { type: K; workerId: string; at: number } & WorkerEventMap[K];
}[WorkerEventType];
export type WorkerEventListener = (event: WorkerEvent) => void;

/** What callers pass to `emit`: the event without the fields the emitter fills in. */
export type WorkerEventInput = {
  [K in WorkerEventType]: { type: K } & WorkerEventMap[K];
}[WorkerEventType];

/**
 * Emit through every listener; a listener that throws is reported on stderr and never reaches the
 * worker's loop (a faulty log line must not stop a worker).
 */
export function workerEmitter(
  workerId: string,
  listeners: readonly WorkerEventListener[],
): (event: WorkerEventInput) => void {
  return (input) => {
    if (listeners.length === 0) return;
    const event = { ...input, workerId, at: Date.now() } as WorkerEvent;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`baton worker: an event listener threw on ${event.type}:`, error);
      }
    }
  };
}

export const errorEvent = (during: string, error: unknown, runId?: string): WorkerEventInput => ({
  type: "error",
  during,
  error: errorInfo(error),
  ...(runId ? { runId } : {}),
});
