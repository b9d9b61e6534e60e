import { useEffect, useState } from "react";
import type { RunAccepted, RunDetail } from "../../../src/http/api-types.js";
import { post } from "../api.js";
import { json } from "../lib/format.js";

const TERMINAL = new Set(["completed", "failed", "cancelled", "compensated", "compensation_failed"]);

/** What a resume value looks like for this run: support-router's decision, else a sketch from the payload. */
export function resumeTemplate(detail: RunDetail): string {
  if (detail.run.graph === "support-router") return '{"approved": true, "assignee": ""}';
  const payload = detail.run.interrupts?.[0]?.payload as { answer?: unknown } | undefined;
  const answer = payload?.answer;
  if (answer && typeof answer === "object" && !Array.isArray(answer)) {
    const sketch = Object.fromEntries(
      Object.entries(answer).map(([k, type]) => [k, type === "boolean" ? true : type === "number" ? 0 : ""]),
    );
    return JSON.stringify(sketch);
  }
  return "null";
}

/** Approve/resume, cancel (optionally compensating) and retry, as the run's status allows. */
export function Actions({ detail, onChange }: { detail: RunDetail; onChange: () => void }) {
  const { run } = detail;
  const id = encodeURIComponent(run.id);
  const [value, setValue] = useState(() => resumeTemplate(detail));
  const [compensate, setCompensate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const waiting = run.status === "interrupted";
  // A new pause (another interrupt) brings a fresh template.
  const pauseKey = JSON.stringify(run.interrupts ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the pause itself changes.
  useEffect(() => setValue(resumeTemplate(detail)), [pauseKey]);
  // What an action said is stale once the run moves on.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the status change is the trigger.
  useEffect(() => setMessage(undefined), [run.status]);

  const act = async (what: string, call: () => Promise<RunAccepted>) => {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    try {
      const r = await call();
      setMessage(`${what}: run is ${r.status}`);
      onChange();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const resume = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      setError(`The resume value is not JSON: ${(e as Error).message}`);
      return;
    }
    void act("Resumed", () => post(`/api/runs/${id}/resume`, { value: parsed }));
  };
  if (!detail.workflow.available)
    return <p className="muted">Actions need the run's workflow, which this server cannot load.</p>;
  return (
    <div className="actions" data-testid="run-actions">
      {waiting ? (
        <section className="resume" data-testid="resume-panel">
          <h3>Waiting for a decision</h3>
          {(run.interrupts ?? []).map((i) => (
            <div key={i.taskId} className="interrupt">
              <div>
                <b>{i.node}</b> asks:
              </div>
              <pre className="json small" data-testid="interrupt-payload">
                {json(i.payload)}
              </pre>
            </div>
          ))}
          <label>
            Resume value (JSON, what <code>interrupt()</code> returns)
            <textarea
              data-testid="resume-value"
              rows={3}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="primary"
            data-testid="resume-submit"
            disabled={busy}
            onClick={resume}
          >
            Approve and resume
          </button>
        </section>
      ) : null}
      <div className="buttons">
        {!TERMINAL.has(run.status) ? (
          <span className="cancel">
            <label className="check">
              <input
                type="checkbox"
                data-testid="cancel-compensate"
                checked={compensate}
                onChange={(e) => setCompensate(e.target.checked)}
              />{" "}
              undo completed steps
            </label>
            <button
              type="button"
              className="danger"
              data-testid="cancel-submit"
              disabled={busy}
              onClick={() => act("Cancelled", () => post(`/api/runs/${id}/cancel`, { compensate }))}
            >
              Cancel run
            </button>
          </span>
        ) : null}
        {run.status === "failed" || run.status === "cancelled" ? (
          <button
            type="button"
            data-testid="retry-submit"
            disabled={busy}
            onClick={() => act("Retried", () => post(`/api/runs/${id}/retry`, {}))}
          >
            Retry from last checkpoint
          </button>
        ) : null}
      </div>
      {message ? (
        <p className="ok" data-testid="action-message">
          {message}
        </p>
      ) : null}
      {error ? (
        <p className="error" data-testid="action-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
