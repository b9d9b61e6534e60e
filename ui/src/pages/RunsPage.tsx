import { useState } from "react";
import type { RunAccepted, RunList, RunRecord, WorkflowInfo } from "../../../src/http/api-types.js";
import { api, post } from "../api.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { useFeed, useLoader, useNow } from "../hooks.js";
import { dateTime, duration, shortId } from "../lib/format.js";
import { Link, navigate } from "../router.js";

const STATUSES = [
  "running",
  "interrupted",
  "completed",
  "failed",
  "cancelled",
  "compensating",
  "compensated",
  "compensation_failed",
  "pending",
];
const LIVE = new Set(["running", "compensating", "pending", "interrupted"]);

function useFilters() {
  const read = () => {
    const q = new URLSearchParams(window.location.search);
    return { status: q.get("status") ?? "", graph: q.get("graph") ?? "", limit: q.get("limit") ?? "50" };
  };
  const [filters, set] = useState(read);
  const update = (patch: Partial<typeof filters>) => {
    const next = { ...filters, ...patch };
    const q = new URLSearchParams();
    if (next.status) q.set("status", next.status);
    if (next.graph) q.set("graph", next.graph);
    if (next.limit !== "50") q.set("limit", next.limit);
    window.history.replaceState(null, "", q.toString() ? `/?${q}` : "/");
    set(next);
  };
  return [filters, update] as const;
}

/** Every run, newest first, filtered, kept up to date by the live feed. */
export function RunsPage() {
  const [filters, setFilters] = useFilters();
  const query = new URLSearchParams({ limit: filters.limit });
  if (filters.status) query.set("status", filters.status);
  if (filters.graph) query.set("graph", filters.graph);
  const runs = useLoader(() => api<RunList>(`/api/runs?${query}`), query.toString(), 300);
  const workflows = useLoader(() => api<{ workflows: WorkflowInfo[] }>("/api/workflows"), "workflows");
  const connected = useFeed("/api/events", runs.refresh);
  const list = runs.data?.runs ?? [];
  const now = useNow(
    list.some((r) => LIVE.has(r.status)),
    1000,
  );
  const names = [
    ...new Set([...(workflows.data?.workflows ?? []).map((w) => w.name), ...list.map((r) => r.graph)]),
  ];
  return (
    <main className="page">
      <header className="run-head">
        <h1>Runs</h1>
        <span className={`live ${connected ? "on" : ""}`} data-testid="live-indicator">
          ● {connected ? "live" : "offline"}
        </span>
      </header>
      <div className="filters">
        <label>
          status{" "}
          <select
            data-testid="filter-status"
            value={filters.status}
            onChange={(e) => setFilters({ status: e.target.value })}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          workflow{" "}
          <select
            data-testid="filter-graph"
            value={filters.graph}
            onChange={(e) => setFilters({ graph: e.target.value })}
          >
            <option value="">any</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          show{" "}
          <select value={filters.limit} onChange={(e) => setFilters({ limit: e.target.value })}>
            {["20", "50", "100", "500"].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </div>
      {runs.error ? <p className="error">{runs.error.message}</p> : null}
      <table className="runs" data-testid="runs-table">
        <thead>
          <tr>
            <th>status</th>
            <th>workflow</th>
            <th>run</th>
            <th>started</th>
            <th>duration</th>
            <th>step</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <Row key={r.id} run={r} now={now} />
          ))}
          {runs.data && list.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                No runs
                {filters.status || filters.graph ? " match" : " yet: start one below or with `baton run`"}.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <NewRun workflows={workflows.data?.workflows ?? []} />
    </main>
  );
}

function Row({ run, now }: { run: RunRecord; now: number }) {
  const end = LIVE.has(run.status) ? Math.max(now, run.updatedAt) : run.updatedAt;
  const href = `/runs/${encodeURIComponent(run.id)}`;
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-status={run.status} onClick={() => navigate(href)}>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>{run.graph}</td>
      <td>
        <Link to={href} testId="run-link">
          <code title={run.id}>{shortId(run.id)}</code>
        </Link>
        {run.parent ? <span className="muted"> fork</span> : null}
      </td>
      <td>{dateTime(run.createdAt)}</td>
      <td>{duration(end - run.createdAt)}</td>
      <td>{run.step}</td>
    </tr>
  );
}

function NewRun({ workflows }: { workflows: readonly WorkflowInfo[] }) {
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
