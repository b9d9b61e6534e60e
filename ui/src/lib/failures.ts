/** Every failure of a run, from its history: each failed attempt and undo, and how the run ended. */
import type { ErrorInfo, RunDetail } from "../../../src/http/api-types.js";
import { clock } from "./format.js";

export interface Failure {
  readonly seq: number;
  readonly at: number;
  /** "create_shipping_label attempt 2" */
  readonly where: string;
  readonly error: ErrorInfo;
  /** retried: another attempt followed; final: none did; not retryable: the error said so. */
  readonly retry: "retried" | "final" | "not retryable";
}

export function failures(detail: RunDetail): Failure[] {
  const out: Failure[] = [];
  for (const e of detail.history) {
    if (e.type === "attempt" && e.error)
      out.push({
        seq: e.seq,
        at: e.finishedAt,
        where: `${e.taskId} (step ${e.step}) attempt ${e.attempt}`,
        error: e.error,
        retry:
          e.outcome === "retrying"
            ? "retried"
            : e.error.code === "NON_RETRYABLE" || e.error.name === "NonRetryableError"
              ? "not retryable"
              : "final",
      });
    if (e.type === "undo" && e.error)
      out.push({
        seq: e.seq,
        at: e.finishedAt,
        where: `undo of ${e.node} attempt ${e.attempt}`,
        error: e.error,
        retry: e.outcome === "retrying" ? "retried" : "final",
      });
  }
  return out;
}

/** A user's cancel (then perhaps undone: `compensated`) is how the run ended, not an error. */
export const isUserCancel = (detail: RunDetail) =>
  detail.run.error?.code === "RUN_CANCELLED" || (detail.run.status === "cancelled" && !detail.run.error);

/** The whole story as text, for the copy button (an issue, a chat message). */
export function failureReport(detail: RunDetail, list: readonly Failure[]): string {
  const { run } = detail;
  const lines = [`Run ${run.id} (${run.graph}) ${run.status}`];
  if (run.error) {
    lines.push(`${run.error.code ?? run.error.name}: ${run.error.message}`);
    if (run.error.stack) lines.push(run.error.stack);
  }
  for (const f of list)
    lines.push(
      `- ${clock(f.at)} ${f.where} [${f.retry}] ${f.error.code ?? f.error.name}: ${f.error.message}`,
    );
  return lines.join("\n");
}
