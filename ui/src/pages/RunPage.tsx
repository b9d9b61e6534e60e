import { useEffect, useMemo, useRef, useState } from "react";
import type {
  GraphView as Graph,
  NestedHistoryEvent,
  NestedHistoryPage,
  RunAccepted,
  RunDetail,
} from "../../../src/http/api-types.js";
import { api, post } from "../api.js";
import { Actions } from "../components/Actions.js";
import { ErrorPanel } from "../components/ErrorPanel.js";
import { GraphView } from "../components/GraphView.js";
import { HistoryList } from "../components/HistoryList.js";
import { JsonTree } from "../components/JsonTree.js";
import { Lineage, parentRelation } from "../components/Lineage.js";
import { RelativeTime } from "../components/RelativeTime.js";
import { StatePanel } from "../components/StatePanel.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { TaskDetail } from "../components/TaskDetail.js";
import { Timeline } from "../components/Timeline.js";
import { useFeed, useLoader, useNow } from "../hooks.js";
import { isUserCancel } from "../lib/failures.js";
import { duration, payloadLabel } from "../lib/format.js";
import { actorText } from "../lib/history-text.js";
import { buildTimeline, type RowSeed } from "../lib/history-timeline.js";
import { Link, navigate } from "../router.js";

/** Statuses under which the run's clock runs: someone drives it. Others (finished, paused) stand still. */
const DRIVEN = new Set(["running", "compensating", "pending"]);
const FINISHED = new Set(["completed", "failed", "cancelled", "compensated", "compensation_failed"]);

/** `weather#0` -> `weather#0 · London` when the Send's payload names something. */
const rowLabel = (row: RowSeed) => {
  const base = row.group === "undo" ? `undo ${row.node}` : (row.taskId ?? row.node);
  const named = row.taskId?.includes("#") ? payloadLabel(row.input) : undefined;
  return named ? `${base} · ${named}` : base;
};

/** As many entries of the nested history as the detail carries of the run's own (5,000), a page at a time. */
async function nestedHistory(path: string): Promise<NestedHistoryEvent[]> {
  const events: NestedHistoryEvent[] = [];
  for (let after: number | null = 0; after !== null && events.length < 5_000; ) {
    const page: NestedHistoryPage = await api<NestedHistoryPage>(
      `${path}/history?nested=1&after=${after}&limit=1000`,
    );
    events.push(...page.events);
    after = page.next;
  }
  return events;
}

/** One run: what it did and when, why it failed, what it produced, and what can be done to it. */
export function RunPage({ runId }: { runId: string }) {
  const path = `/api/runs/${encodeURIComponent(runId)}`;
  const run = useLoader(() => api<RunDetail>(path), runId, 150);
  const graphName = run.data?.run.graph;
  const available = run.data?.workflow.available ?? false;
  const graphs = useRef(new Map<string, Promise<Graph>>());
  const graph = useLoader(() => {
    if (!graphName || !available) return Promise.resolve(undefined);
    let g = graphs.current.get(graphName);
    if (!g) {
      g = api<Graph>(`/api/workflows/${encodeURIComponent(graphName)}/graph`);
      graphs.current.set(graphName, g);
    }
    return g;
  }, `${graphName}:${available}`);
  const connected = useFeed(`${path}/events`, run.refresh);
  const detail = run.data;
  const subgraphs = detail?.children.some((c) => c.kind === "subgraph") ?? false;
  // The history of the run and its subgraph runs, each entry with its level; read again as the run moves.
  const nested = useLoader(
    () => (subgraphs ? nestedHistory(path) : Promise.resolve<readonly NestedHistoryEvent[]>([])),
    `${runId}:${subgraphs}`,
    150,
  );
  const refreshNested = nested.refresh;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new detail (the run moved) asks for a fresh read.
  useEffect(() => {
    if (subgraphs) refreshNested();
  }, [detail, subgraphs, refreshNested]);
  const driven = detail ? DRIVEN.has(detail.run.status) : false;
  // Paused for a person, a time or an event: the clock stands still, relative times still move.
  const paused =
    detail !== undefined && !driven && detail.run.status !== undefined && !FINISHED.has(detail.run.status);
  const now = useNow(driven || paused);
  const timeline = useMemo(() => (detail ? buildTimeline(detail, now, rowLabel) : undefined), [detail, now]);
  const [selected, setSelected] = useState<string | undefined>();

  if (run.error)
    return (
      <main className="page">
        <p className="error" data-testid="run-error-page">
          {run.error.message}
        </p>
        <Link to="/">← all runs</Link>
      </main>
    );
  if (!detail || !timeline) return <main className="page muted">Loading…</main>;
  const r = detail.run;
  const end = driven ? now : r.updatedAt;
  const cancel = [...detail.history].reverse().find((e) => e.type === "cancel_requested");
  const selectedRow = timeline.rows.find((row) => row.key === selected);
  const selectNode = (node: string) => {
    const rows = timeline.rows.filter((row) => row.node === node && row.group === "task");
    if (rows.length) setSelected(rows.at(-1)!.key);
  };
  const fork = async (step: number, update: Record<string, unknown>) => {
    const made = await post<RunAccepted>(`${path}/fork`, { step, update });
    navigate(`/runs/${encodeURIComponent(made.runId)}`);
  };
  return (
    <main className="page run-page" data-testid="run-page" data-run-id={r.id}>
      <header className="run-head">
        <Link to="/" className="back" testId="back-to-runs">
          ← runs
        </Link>
        <h1>
          {r.graph} <code className="run-id">{r.id}</code>
        </h1>
        <StatusBadge status={r.status} testId="run-status" />
        {detail.crashed ? <span className="badge st-crashed">crashed</span> : null}
        <span className={`live ${connected ? "on" : ""}`} data-testid="live-indicator" title="live updates">
          ● {connected ? "live" : "offline"}
        </span>
      </header>
      <dl className="facts">
        <dt>started</dt>
        <dd>
          <RelativeTime at={r.createdAt} now={now} /> by {actorText(r.createdBy)}
        </dd>
        <dt>{driven ? "running for" : "took"}</dt>
        <dd data-testid="run-duration">{duration(end - r.createdAt)}</dd>
        {paused ? (
          <>
            <dt>{r.status === "interrupted" ? "waiting for input since" : `${r.status} since`}</dt>
            <dd>
              <RelativeTime at={r.updatedAt} now={now} />
            </dd>
          </>
        ) : null}
        {detail.parent ? (
          <>
            <dt>parent</dt>
            <dd data-testid="run-parent" data-kind={detail.parent.kind ?? "fork"}>
              {parentRelation(detail.parent)}{" "}
              <Link to={`/runs/${encodeURIComponent(detail.parent.runId)}`} testId="run-parent-link">
                {detail.parent.runId}
              </Link>
            </dd>
          </>
        ) : null}
        {detail.children.length > 0 ? (
          <>
            <dt>children</dt>
            <dd data-testid="run-children">
              {detail.children.map((c, i) => (
                <span key={c.id}>
                  {i > 0 ? ", " : ""}
                  <Link to={`/runs/${encodeURIComponent(c.id)}`} testId="run-child-link">
                    {c.taskId}
                  </Link>{" "}
                  <span className="muted">
                    ({c.kind}, {c.status.replace("_", " ")})
                  </span>
                </span>
              ))}
            </dd>
          </>
        ) : null}
        <dt>step</dt>
        <dd>{r.step}</dd>
        <dt>queue</dt>
        <dd>{r.queue}</dd>
      </dl>
      {cancel && cancel.type === "cancel_requested" ? (
        <p className="note cancelled" data-testid="cancel-note">
          Cancel requested by {actorText(cancel.by)} <RelativeTime at={cancel.at} now={now} />
          {cancel.compensate ? ", undoing completed steps" : ""}
          {isUserCancel(detail)
            ? r.status === "compensated"
              ? ": the run is cancelled and its completed steps are undone."
              : ": the run is cancelled."
            : "…"}
        </p>
      ) : null}
      <Actions detail={detail} onChange={run.refresh} now={now} />
      <ErrorPanel detail={detail} />
      <div className="run-grid">
        <section className="card graph-card">
          <h2>Graph</h2>
          {graph.data ? (
            <GraphView
              graph={graph.data}
              detail={detail}
              nested={nested.data ?? []}
              onSelectNode={selectNode}
            />
          ) : (
            <p className="muted">{available ? "…" : "The graph needs the run's workflow."}</p>
          )}
        </section>
        <section className="card timeline-card">
          <h2>Timeline</h2>
          <Timeline timeline={timeline} selected={selected} onSelect={setSelected} />
        </section>
      </div>
      {selectedRow ? (
        <TaskDetail detail={detail} row={selectedRow} onClose={() => setSelected(undefined)} />
      ) : null}
      <div className="io-grid">
        <section className="card">
          <h2>Input</h2>
          <JsonTree value={r.input} testId="run-input" />
        </section>
        <section className="card">
          <h2>{r.status === "completed" ? "Output (final state)" : "State now"}</h2>
          {detail.state ? (
            <JsonTree value={detail.state} testId="run-output" />
          ) : (
            <p className="muted">The state needs the run's workflow, which this server cannot load.</p>
          )}
        </section>
      </div>
      <HistoryList detail={detail} nested={nested.data} onSelect={setSelected} />
      <Lineage detail={detail} />
      <section className="card">
        <h2>State at each checkpoint</h2>
        <StatePanel detail={detail} onFork={fork} />
      </section>
    </main>
  );
}
