import { NodeFailedError } from "../errors.js";
import type { TaskRecord } from "./records.js";
import { isFinished } from "./replay.js";
import type { TaskOutcome } from "./task-runner.js";

/** A record that stands for its task for good: finished, or failed with its attempts spent. */
export const isFinal = (r: TaskRecord | undefined): r is TaskRecord =>
  r !== undefined && (isFinished(r) || r.status === "failed");

/**
 * The outcome a stored record stands for, as `runTask` returned it where the task ran: for a step
 * whose tasks ran on other workers. A failure is rebuilt into the same `NodeFailedError` (same
 * message, code and node), so the run ends with the error it would have ended with here. Undefined
 * for a record that is not final (`retrying`).
 */
export function storedOutcome(record: TaskRecord): TaskOutcome | undefined {
  switch (record.status) {
    case "succeeded":
    case "continued":
      return { kind: "finished", record };
    case "interrupted":
      return { kind: "interrupted", record, payload: record.interrupts?.at(-1) };
    case "waiting":
      return record.wait ? { kind: "waiting", record, wait: record.wait } : undefined;
    case "failed": {
      const info = record.error ?? { name: "Error", message: "failed" };
      const cause = Object.assign(
        new Error(info.message),
        { name: info.name },
        info.code ? { code: info.code } : {},
      );
      const error = new NodeFailedError(record.node, cause, record.attempts, {
        runId: record.runId,
        step: record.step,
      });
      return { kind: "failed", record, error };
    }
    default:
      return undefined;
  }
}
