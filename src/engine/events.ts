import type { ErrorInfo } from "../errors.js";
import type { RunStatus, WaitInfo } from "./records.js";

interface Base {
  readonly runId: string;
  /** Epoch milliseconds. */
  readonly at: number;
}
interface TaskBase extends Base {
  readonly step: number;
  readonly node: string;
  readonly taskId: string;
}

/** Everything that happens in a run, as one typed stream (CLI, HTTP feed, dashboard, tracing). */
export type RunEvent =
  | (Base & { type: "run_started"; graph: string; resumed: boolean })
  | (Base & { type: "run_finished"; status: RunStatus; error?: ErrorInfo; durationMs: number })
  | (Base & { type: "step_started"; step: number; tasks: ReadonlyArray<{ id: string; node: string }> })
  | (TaskBase & { type: "node_started"; attempt: number })
  | (TaskBase & { type: "node_retrying"; attempt: number; delayMs: number; error: ErrorInfo })
  | (TaskBase & {
      type: "node_succeeded";
      attempt: number;
      durationMs: number;
      update: Record<string, unknown>;
    })
  | (TaskBase & { type: "node_failed"; attempts: number; error: ErrorInfo; continued: boolean })
  | (TaskBase & { type: "node_custom"; data: unknown })
  | (Base & { type: "checkpoint_saved"; step: number })
  | (TaskBase & { type: "interrupted"; payload: unknown })
  | (TaskBase & { type: "node_waiting"; wait: WaitInfo })
  | (Base & { type: "compensation_started"; nodes: readonly string[] })
  | (Base & {
      type: "compensation_step";
      node: string;
      taskKey: string;
      status: "started" | "retrying" | "done" | "failed";
      attempt: number;
      error?: ErrorInfo;
    })
  | (Base & { type: "compensation_finished"; status: "compensated" | "compensation_failed" });

export type RunEventType = RunEvent["type"];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
export type EventListener = (event: RunEvent) => void;

/** Calls each listener; a listener that throws is reported once and never breaks the run. */
export function safeEmitter(listeners: readonly EventListener[]): EventListener | undefined {
  if (listeners.length === 0) return undefined;
  return (event) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`baton: an event listener threw on ${event.type}:`, error);
      }
    }
  };
}
