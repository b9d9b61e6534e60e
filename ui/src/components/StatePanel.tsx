import { useEffect, useState } from "react";
import type { RunDetail } from "../../../src/http/api-types.js";
import { diffStates } from "../lib/diff.js";
import { brief, clock, json } from "../lib/format.js";

/** The state at each checkpoint, what changed since the one before, and forking from it. */
export function StatePanel(props: {
  detail: RunDetail;
  onFork: (step: number, update: Record<string, unknown>) => Promise<void>;
}) {
  const { detail } = props;
  const checkpoints = detail.checkpoints;
  const last = checkpoints.at(-1)?.step;
  const [selected, setSelected] = useState<number | undefined>(last);
  const [view, setView] = useState<"diff" | "state">("diff");
  const [follow, setFollow] = useState(true);
  // Follow the newest checkpoint as the run moves, until the user picks one.
  useEffect(() => {
    if (follow) setSelected(last);
  }, [last, follow]);
  const index = checkpoints.findIndex((c) => c.step === selected);
  const current = checkpoints[index];
  const before = index > 0 ? checkpoints[index - 1] : undefined;
  const changes = current?.state ? diffStates(before?.state ?? {}, current.state) : [];
  if (checkpoints.length === 0) return <p className="muted">No checkpoint yet.</p>;
  return (
    <div className="state-panel">
      <ol className="checkpoints" data-testid="checkpoint-list">
        {checkpoints.map((c) => (
          <li key={c.step}>
            <button
              type="button"
              className={c.step === selected ? "selected" : ""}
              data-testid={`checkpoint-${c.step}`}
              onClick={() => {
                setSelected(c.step);
                setFollow(c.step === last);
              }}
            >
              <b>step {c.step}</b> <span className="muted">{clock(c.createdAt)}</span>
              <span className="next">→ {c.next.map((n) => n.id).join(", ") || "end"}</span>
            </button>
          </li>
        ))}
      </ol>
      <div className="state-view">
        <div className="tabs">
          <button
            type="button"
            className={view === "diff" ? "on" : ""}
            onClick={() => setView("diff")}
            data-testid="tab-diff"
          >
            Changes in step {selected}
          </button>
          <button
            type="button"
            className={view === "state" ? "on" : ""}
            onClick={() => setView("state")}
            data-testid="tab-state"
          >
            State after step {selected}
          </button>
        </div>
        {!current?.state ? (
          <p className="muted">The state needs the run's workflow, which this server cannot load.</p>
        ) : view === "diff" ? (
          <ul className="diff" data-testid="state-diff">
            {changes.length === 0 ? <li className="muted">no change</li> : null}
            {changes.map((c) => (
              <li key={`${c.kind}:${c.path}`} className={`d-${c.kind}`} data-kind={c.kind} data-path={c.path}>
                <code className="path">{c.path}</code>{" "}
                {c.kind === "changed" ? (
                  <>
                    <code className="old">{brief(c.before)}</code> → <code>{brief(c.after)}</code>
                  </>
                ) : (
                  <code>{brief(c.kind === "added" ? c.after : c.before)}</code>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <pre className="json" data-testid="state-json">
            {json(current.state)}
          </pre>
        )}
        {detail.workflow.available && current ? <ForkForm step={current.step} onFork={props.onFork} /> : null}
      </div>
    </div>
  );
}

function ForkForm({
  step,
  onFork,
}: {
  step: number;
  onFork: (step: number, update: Record<string, unknown>) => Promise<void>;
}) {
  const [text, setText] = useState("{}");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    let update: unknown;
    try {
      update = JSON.parse(text);
    } catch (e) {
      setError(`Not JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof update !== "object" || update === null || Array.isArray(update)) {
      setError("The edit must be an object of state keys");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onFork(step, update as Record<string, unknown>);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="fork">
      <summary>Fork a new run from step {step}…</summary>
      <label>
        State edit (JSON, applied through the reducers)
        <textarea data-testid="fork-update" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" data-testid="fork-submit" disabled={busy} onClick={submit}>
        Fork from step {step}
      </button>
      {error ? (
        <p className="error" data-testid="fork-error">
          {error}
        </p>
      ) : null}
    </details>
  );
}
