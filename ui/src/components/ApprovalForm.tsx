import { useState } from "react";
import type { RunDetail } from "../../../src/http/api-types.js";
import { answerOf, type FormValues, planForm } from "../lib/schema-form.js";
import { JsonTree } from "./JsonTree.js";

type Interrupt = NonNullable<RunDetail["run"]["interrupts"]>[number];

const NAME_KEY = "baton.approver";

/**
 * The decision a paused run waits for: the question, then a form built from the answer's schema
 * with Approve and Reject (or a JSON answer when the node gave no schema). Who answers is asked
 * once and kept in this browser; it goes into the run's history.
 */
export function ApprovalForm(props: {
  interrupt: Interrupt;
  busy: boolean;
  onAnswer: (value: unknown, by: string | undefined, what: "Approved" | "Rejected" | "Answered") => void;
  fieldError: { field?: string; message: string } | undefined;
}) {
  const { interrupt } = props;
  const plan = planForm(interrupt.schema);
  const [values, setValues] = useState<FormValues>({});
  const [raw, setRaw] = useState("null");
  const [by, setBy] = useState(() => localStorage.getItem(NAME_KEY) ?? "");
  const [local, setLocal] = useState<{ field?: string; message: string } | undefined>();
  const payload = interrupt.payload as { question?: unknown } | null;
  const question =
    typeof payload?.question === "string" ? payload.question : `${interrupt.node} asks for input`;
  const who = () => {
    const name = by.trim();
    if (name) localStorage.setItem(NAME_KEY, name);
    return name || undefined;
  };
  const submit = (decision: boolean | undefined) => {
    setLocal(undefined);
    if (!plan) {
      try {
        props.onAnswer(JSON.parse(raw), who(), "Answered");
      } catch (e) {
        setLocal({ field: "value", message: `The answer is not JSON: ${(e as Error).message}` });
      }
      return;
    }
    const answer = answerOf(plan, values, decision);
    if ("field" in answer) setLocal(answer);
    else
      props.onAnswer(
        answer.value,
        who(),
        decision === undefined ? "Answered" : decision ? "Approved" : "Rejected",
      );
  };
  const problem = local ?? props.fieldError;
  return (
    <form
      className="approval"
      data-testid="resume-panel"
      onSubmit={(e) => {
        e.preventDefault();
        submit(plan?.decision ? true : undefined);
      }}
    >
      <h3>{question}</h3>
      <details className="asked">
        <summary>
          What <code>{interrupt.node}</code> sent (step {interrupt.step})
        </summary>
        <JsonTree value={interrupt.payload} testId="interrupt-payload" />
      </details>
      {plan ? (
        <div className="fields">
          {plan.fields
            .filter((f) => f.name !== plan.decision)
            .map((f) => {
              const text = (
                <span>
                  {f.name}
                  {f.required ? " (required)" : " (optional)"}
                  {f.description ? <span className="muted"> — {f.description}</span> : null}
                </span>
              );
              const set = (v: string | boolean) => setValues({ ...values, [f.name]: v });
              const value = String(values[f.name] ?? "");
              if (f.kind === "boolean")
                return (
                  <label key={f.name} className="check">
                    <input
                      type="checkbox"
                      checked={values[f.name] === true}
                      onChange={(e) => set(e.target.checked)}
                    />
                    {text}
                  </label>
                );
              if (f.kind === "enum")
                return (
                  <label key={f.name}>
                    {text}
                    <select
                      value={value}
                      onChange={(e) => set(e.target.value)}
                      data-testid={`answer-${f.name}`}
                    >
                      <option value="">–</option>
                      {f.options!.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  </label>
                );
              if (f.kind === "json")
                return (
                  <label key={f.name}>
                    {text}
                    <textarea
                      rows={2}
                      value={value}
                      onChange={(e) => set(e.target.value)}
                      data-testid={`answer-${f.name}`}
                    />
                  </label>
                );
              return (
                <label key={f.name}>
                  {text}
                  <input
                    type={f.kind === "string" ? "text" : "number"}
                    value={value}
                    maxLength={f.maxLength}
                    aria-invalid={problem?.field === f.name}
                    onChange={(e) => set(e.target.value)}
                    data-testid={`answer-${f.name}`}
                  />
                </label>
              );
            })}
        </div>
      ) : (
        <label>
          Answer (JSON: what <code>interrupt()</code> returns)
          <textarea
            data-testid="resume-value"
            rows={3}
            value={raw}
            onChange={(e) => setRaw(e.target.value)}
          />
        </label>
      )}
      <label>
        Your name (recorded in the run's history)
        <input
          type="text"
          value={by}
          onChange={(e) => setBy(e.target.value)}
          data-testid="approver-name"
          maxLength={200}
        />
      </label>
      {problem ? (
        <p className="error" data-testid="answer-error">
          {problem.message}
        </p>
      ) : null}
      <div className="buttons">
        {plan?.decision ? (
          <>
            <button type="submit" className="primary" disabled={props.busy} data-testid="approve-submit">
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={props.busy}
              data-testid="reject-submit"
              onClick={() => submit(false)}
            >
              Reject
            </button>
          </>
        ) : (
          <button type="submit" className="primary" disabled={props.busy} data-testid="resume-submit">
            Send answer and resume
          </button>
        )}
      </div>
    </form>
  );
}
