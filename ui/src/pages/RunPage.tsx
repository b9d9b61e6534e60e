import { useRef } from "react";
import type { GraphView as Graph, RunAccepted, RunDetail } from "../../../src/http/api-types.js";
import { api, post } from "../api.js";
import { Actions } from "../components/Actions.js";
import { GraphView } from "../components/GraphView.js";
import { StatePanel } from "../components/StatePanel.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { Timeline } from "../components/Timeline.js";
import { useFeed, useLoader, useNow } from "../hooks.js";
import { dateTime, duration, json } from "../lib/format.js";
import { Link, navigate } from "../router.js";

const LIVE = new Set(["running", "compensating", "pending", "interrupted"]);

/** One run: what it is doing, its graph, its timeline, its state at each checkpoint, and what to do next. */
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
  const now = useNow(detail ? LIVE.has(detail.run.status) : false);

  if (run.error)
    return (
      <main className="page">
        <p className="error" data-testid="run-error-page">
          {run.error.message}
        </p>
        <Link to="/">← all runs</Link>
      </main>
    );
  if (!detail) return <main className="page muted">Loading…</main>;
  const r = detail.run;
  const end = LIVE.has(r.status) ? now : r.updatedAt;
  const fork = async (step: number, update: Record<string, unknown>) => {
    const made = await post<RunAccepted>(`${path}/fork`, { step, update });
    navigate(`/runs/${encodeURIComponent(made.runId)}`);
  };
  return (
    <main className="page run-page" data-testid="run-page" data-run-id={r.id}>
      <header className="run-head">
        <Link to="/" className="back">
          ← runs
        </Link>
        <h1>
          {r.graph} <code className="run-id">{r.id}</code>
        </h1>
        <StatusBadge status={r.status} testId="run-status" />
        <span className={`live ${connected ? "on" : ""}`} data-testid="live-indicator" title="live updates">
          ● {connected ? "live" : "offline"}
        </span>
      </header>
      <dl className="facts">
        <dt>started</dt>
        <dd>{dateTime(r.createdAt)}</dd>
        <dt>duration</dt>
        <dd data-testid="run-duration">{duration(end - r.createdAt)}</dd>
        <dt>step</dt>
        <dd>{r.step}</dd>
        <dt>queue</dt>
        <dd>{r.queue}</dd>
        {r.parent ? (
          <>
            <dt>forked from</dt>
            <dd>
              <Link to={`/runs/${encodeURIComponent(r.parent.runId)}`}>{r.parent.runId}</Link> at step{" "}
              {r.parent.step}
            </dd>
          </>
        ) : null}
        {r.cancelRequested ? (
          <>
            <dt>cancel</dt>
            <dd>requested{r.cancelRequested.compensate ? " (with compensation)" : ""}</dd>
          </>
        ) : null}
      </dl>
      {r.error ? (
        <p className="error run-error" data-testid="run-error">
          {r.error.code ? <b>{r.error.code}</b> : null} {r.error.message}
        </p>
      ) : null}
      {!detail.workflow.available ? <p className="muted">{detail.workflow.problem}</p> : null}
      <Actions detail={detail} onChange={run.refresh} />
      <div className="run-grid">
        <section className="card graph-card">
          <h2>Graph</h2>
          {graph.data ? <GraphView graph={graph.data} detail={detail} /> : <p className="muted">…</p>}
        </section>
        <section className="card">
          <h2>Timeline</h2>
          <Timeline detail={detail} now={now} />
        </section>
      </div>
      <section className="card">
        <h2>State</h2>
        <StatePanel detail={detail} onFork={fork} />
      </section>
      <details className="card input">
        <summary>Input</summary>
        <pre className="json">{json(r.input)}</pre>
      </details>
    </main>
  );
}
