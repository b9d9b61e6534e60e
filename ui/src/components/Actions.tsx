import { useEffect, useState } from "react";
import type { RunAccepted, RunDetail } from "../../../src/http/api-types.js";
import { ApiError, post } from "../api.js";
import { dateTime } from "../lib/format.js";
import { ApprovalForm } from "./ApprovalForm.js";
import { WaitPanel } from "./WaitPanel.js";

const TERMINAL = new Set(["completed", "failed", "cancelled", "compensated", "compensation_failed"]);

type Verb = "approve" | "cancel" | "retry" | "recover";

const cancelledText = (status: string) =>
  status === "compensated" ? "Cancelled; the completed steps were undone" : "Cancelled";

/** What happened, in words, once the server answered (and later, once the run moved on). */
function said(verb: Verb, r: RunAccepted, what?: string): string {
  switch (verb) {
    case "approve":
      return `${what ?? "Answered"}: the run goes on from where it waited`;
    case "cancel":
      return TERMINAL.has(r.status)
        ? cancelledText(r.status)
        : r.status === "compensating"
          ? "Cancel requested: undoing the completed steps"
          : "Cancel requested: the run stops at its next check";
    case "retry":
      return "Retry started from the last checkpoint; earlier attempts stay in the history";
    case "recover":
      return "Recovered: this server drives the run now";
  }
}

/**
 * Approve or reject, cancel (optionally undoing), retry and recover, each offered only while the
 * run's state allows it and disabled while a request is in flight or the run already moves that way.
 */
export function Actions({ detail, onChange, now }: { detail: RunDetail; onChange: () => void; now: number }) {
  const { run } = detail;
  const id = encodeURIComponent(run.id);
  const [compensate, setCompensate] = useState(false);
  const [busy, setBusy] = useState<Verb | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<{ field?: string; message: string } | undefined>();
  // What an action said about a cancel in progress goes stale once the run reaches its end.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the status change is the trigger.
  useEffect(() => {
    if (TERMINAL.has(run.status) && message?.startsWith("Cancel requested"))
      setMessage(cancelledText(run.status));
  }, [run.status]);

  const act = async (verb: Verb, path: string, body: unknown, what?: string) => {
    setBusy(verb);
    setError(undefined);
    setMessage(undefined);
    try {
      const r = await post<RunAccepted>(`/api/runs/${id}/${path}`, body);
      setMessage(said(verb, r, what));
      onChange();
    } catch (e) {
      setError({
        message: (e as Error).message,
        ...(e instanceof ApiError && e.field ? { field: e.field } : {}),
      });
    } finally {
      setBusy(undefined);
    }
  };
  if (!detail.workflow.available)
    return (
      <p className="muted" data-testid="run-actions">
        Actions need the run's workflow, which this server cannot load: {detail.workflow.problem}
      </p>
    );
  const cancelling = run.cancelRequested !== undefined && !TERMINAL.has(run.status);
  return (
    <div className="actions" data-testid="run-actions">
      {detail.crashed ? (
        <div className="crash" data-testid="crash-banner">
          <p>
            <b>Crashed:</b> {detail.crashed.why} (since {dateTime(detail.crashed.since)}). Nobody drives this
            run; recovering resumes it here from its last checkpoint.
          </p>
          <button
            type="button"
            className="primary"
            data-testid="recover-submit"
            disabled={busy !== undefined}
            onClick={() => act("recover", "recover", {})}
          >
            {busy === "recover" ? "Recovering…" : "Recover"}
          </button>
        </div>
      ) : null}
      {run.status === "interrupted"
        ? (run.interrupts ?? []).map((i) => (
            <ApprovalForm
              key={`${i.step}:${i.taskId}`}
              interrupt={i}
              busy={busy !== undefined}
              fieldError={error}
              onAnswer={(value, by, what) => act("approve", "resume", { value, ...(by ? { by } : {}) }, what)}
            />
          ))
        : null}
      <WaitPanel detail={detail} now={now} onChange={onChange} />
      <div className="buttons">
        {!TERMINAL.has(run.status) ? (
          <span className="cancel">
            <label className="check">
              <input
                type="checkbox"
                data-testid="cancel-compensate"
                checked={compensate}
                disabled={cancelling}
                onChange={(e) => setCompensate(e.target.checked)}
              />{" "}
              undo completed steps
            </label>
            <button
              type="button"
              className="danger"
              data-testid="cancel-submit"
              disabled={busy !== undefined || cancelling}
              onClick={() => act("cancel", "cancel", { compensate })}
            >
              {busy === "cancel" ? "Cancelling…" : cancelling ? "Cancel requested" : "Cancel run"}
            </button>
          </span>
        ) : null}
        {run.status === "failed" || run.status === "cancelled" ? (
          <button
            type="button"
            data-testid="retry-submit"
            disabled={busy !== undefined}
            onClick={() => act("retry", "retry", {})}
          >
            {busy === "retry" ? "Retrying…" : "Retry from last checkpoint"}
          </button>
        ) : null}
      </div>
      {message ? (
        <p className="ok" data-testid="action-message" role="status">
          {message}
        </p>
      ) : null}
      {error && run.status !== "interrupted" ? (
        <p className="error" data-testid="action-error" role="alert">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
