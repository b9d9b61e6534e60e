import type { RunDetail } from "../../../src/http/api-types.js";
import { clock } from "../lib/format.js";
import { actorText } from "../lib/history-text.js";
import { Link } from "../router.js";

const runHref = (id: string) => `/runs/${encodeURIComponent(id)}`;

/** Where the run came from and what came of it: its parent, its forks (its children), its retries and resumes. */
export function Lineage({ detail }: { detail: RunDetail }) {
  const { run } = detail;
  const again = detail.history.filter((e) => e.type === "retried" || e.type === "resumed");
  if (!run.parent && detail.forks.length === 0 && again.length === 0) return null;
  return (
    <section className="card lineage" data-testid="lineage">
      <h2>Lineage</h2>
      <ul className="plain">
        {run.parent ? (
          <li data-testid="lineage-parent">
            forked from <Link to={runHref(run.parent.runId)}>{run.parent.runId}</Link> at step{" "}
            {run.parent.step}
          </li>
        ) : null}
        {detail.forks.map((f) => (
          <li key={f} data-testid="lineage-fork">
            fork (child run): <Link to={runHref(f)}>{f}</Link>
          </li>
        ))}
        {again.map((e) => (
          <li key={e.seq} data-testid={`lineage-${e.type}`}>
            {e.type === "retried" ? "retried" : "resumed"} at {clock(e.at)} by{" "}
            {"by" in e ? actorText(e.by) : "someone"}
          </li>
        ))}
      </ul>
    </section>
  );
}
