import { useState } from "react";
import type { RunAccepted, WorkflowInfo } from "../../../src/http/api-types.js";
import { post } from "../api.js";
import { navigate } from "../router.js";

/** Start a run of a known workflow with JSON input, then open it. */
export function NewRun({ workflows }: { workflows: readonly WorkflowInfo[] }) {
  const [name, setName] = useState("");
  const [input, setInput] = useState("{}");
  const [error, setError] = useState<string | undefined>();
  const pick = (n: string) => {
    setName(n);
    const w = workflows.find((x) => x.name === n);
    setInput(JSON.stringify(w?.defaultInput ?? {}, null, 2));
  };
  const start = async () => {
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (e) {
      setError(`Input is not JSON: ${(e as Error).message}`);
      return;
    }
    try {
      const made = await post<RunAccepted>("/api/runs", { workflow: name, input: parsed });
      navigate(`/runs/${encodeURIComponent(made.runId)}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <details className="card new-run">
      <summary>Start a run…</summary>
      <label>
        workflow{" "}
        <select data-testid="new-run-workflow" value={name} onChange={(e) => pick(e.target.value)}>
          <option value="" disabled>
            choose
          </option>
          {workflows.map((w) => (
            <option key={w.name} value={w.name} title={w.description}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        input (JSON)
        <textarea
          data-testid="new-run-input"
          rows={5}
          value={input}
          onChange={(e) => setInput(e.target.value)}
        />
      </label>
      <button type="button" className="primary" data-testid="new-run-submit" disabled={!name} onClick={start}>
        Start
      </button>
      {error ? <p className="error">{error}</p> : null}
    </details>
  );
}
