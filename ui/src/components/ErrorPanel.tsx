import { useState } from "react";
import type { RunDetail } from "../../../src/http/api-types.js";
import { failureReport, failures, isUserCancel } from "../lib/failures.js";
import { clock } from "../lib/format.js";

/** Why the run failed: its error (code, message, stack) and every failed attempt, with a copy button. */
export function ErrorPanel({ detail }: { detail: RunDetail }) {
  const list = failures(detail);
  const [copied, setCopied] = useState<"yes" | "no" | undefined>();
  const error = isUserCancel(detail) ? undefined : detail.run.error;
  if (!error && list.length === 0) return null;
  const copy = async () => {
    const text = failureReport(detail, list);
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied(copyByHand(text) ? "yes" : "no");
    }
  };
  return (
    <section className={`card error-panel${error ? " failed" : ""}`} data-testid="error-panel">
      <header className="row-head">
        <h2>{error ? "Why it failed" : `Failed attempts (${list.length})`}</h2>
        <button type="button" data-testid="copy-errors" onClick={copy}>
          {copied === "yes" ? "Copied" : copied === "no" ? "Copy failed: select the text" : "Copy errors"}
        </button>
      </header>
      {error ? (
        <div className="run-error" data-testid="run-error">
          <p>
            {error.code ? <code className="code">{error.code}</code> : null} <b>{error.name}</b>:{" "}
            {error.message}
            {error.node ? <span className="muted"> (node {error.node})</span> : null}
          </p>
          {error.stack ? (
            <details>
              <summary>stack</summary>
              <pre className="stack">{error.stack}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
      {list.length > 0 ? (
        <table className="failures" data-testid="failure-list">
          <thead>
            <tr>
              <th>when</th>
              <th>where</th>
              <th>error</th>
              <th>retry</th>
            </tr>
          </thead>
          <tbody>
            {list.map((f) => (
              <tr key={f.seq} data-testid="failure" data-retry={f.retry}>
                <td>{clock(f.at)}</td>
                <td>{f.where}</td>
                <td className="wrap">
                  {f.error.code ? <code>{f.error.code}</code> : null} {f.error.message}
                </td>
                <td>{f.retry}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Where the clipboard API is refused (plain http on another host): the old way. */
function copyByHand(text: string): boolean {
  const area = document.createElement("textarea");
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok;
}
