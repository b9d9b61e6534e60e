import type { ParentView, RunDetail } from "../../../src/http/api-types.js";
import { clock } from "../lib/format.js";
import { actorText } from "../lib/history-text.js";
import { Link } from "../router.js";
import { StatusBadge } from "./StatusBadge.js";

const runHref = (id: string) => `/runs/${encodeURIComponent(id)}`;

/** How a run relates to its parent, in words: "subgraph run of", "child run of", "forked from". */
export function parentRelation(parent: ParentView): string {
  if (parent.kind === "subgraph") return "subgraph run of";
  if (parent.kind === "child") return "child run of";
  return "forked from";
}

/**
 * Where the run came from and what came of it: its parent (a fork's source, or the run whose task
 * started it), the runs its tasks started (subgraph and child runs), its forks, its retries and resumes.
 */
export function Lineage({ detail }: { detail: RunDetail }) {
  const { run } = detail;
  const parent = detail.parent ?? run.parent;
  const again = detail.history.filter((e) => e.type === "retried" || e.type === "resumed");
  if (!parent && detail.forks.length === 0 && detail.children.length === 0 && again.length === 0) return null;
  return (
    <section className="card lineage" data-testid="lineage">
      <h2>Lineage</h2>
      <ul className="plain">
        {parent ? (
          <li data-testid="lineage-parent" data-kind={parent.kind ?? "fork"}>
            {parentRelation(parent)} <Link to={runHref(parent.runId)}>{parent.runId}</Link>
            {parent.taskId !== undefined
              ? ` (task ${parent.taskId} at step ${parent.step})`
              : ` at step ${parent.step}`}
            {detail.parent?.status ? (
              <>
                {" "}
                <StatusBadge status={detail.parent.status} />
              </>
            ) : null}
          </li>
        ) : null}
        {detail.children.map((c) => (
          <li key={c.id} data-testid="lineage-child" data-kind={c.kind} data-run-id={c.id}>
            {c.kind === "subgraph" ? "subgraph run" : "child run"}:{" "}
            <Link to={runHref(c.id)} testId={`child-link-${c.id}`}>
              {c.id}
            </Link>{" "}
            <span className="muted">
              {c.graph} · task {c.taskId} at step {c.step}
            </span>{" "}
            <StatusBadge status={c.status} />
          </li>
        ))}
        {detail.forks.map((f) => (
          <li key={f} data-testid="lineage-fork">
            fork: <Link to={runHref(f)}>{f}</Link>
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
