import { type MouseEvent, useEffect, useState } from "react";
import type { RunList, RunRecord, WorkflowInfo } from "../../../src/http/api-types.js";
import { api } from "../api.js";
import { NewRun } from "../components/NewRun.js";
import { RelativeTime } from "../components/RelativeTime.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { useFeed, useLoader, useNow } from "../hooks.js";
import { count, duration, shortId } from "../lib/format.js";
import {
  apiQuery,
  type ListState,
  PAGE_SIZES,
  readListState,
  type SortKey,
  writeListState,
} from "../lib/run-query.js";
import { Link, navigate, replaceQuery } from "../router.js";

const STATUSES = [
  "running",
  "interrupted",
  "sleeping",
  "waiting",
  "completed",
  "failed",
  "cancelled",
  "compensating",
  "compensated",
  "compensation_failed",
  "pending",
];
const DRIVEN = new Set(["running", "compensating", "pending"]);

function useListState() {
  const [state, set] = useState(() => readListState(window.location.search));
  const update = (patch: Partial<ListState>) => {
    // Any change but paging starts again at the first page.
    const next = { ...state, ...("offset" in patch ? {} : { offset: 0 }), ...patch };
    replaceQuery(writeListState(next));
    set(next);
  };
  return [state, update] as const;
}

/** Every run: searched, filtered, sorted, a page at a time with totals; kept up to date by the live feed. */
export function RunsPage() {
  const [state, update] = useListState();
  const query = apiQuery(state);
  const runs = useLoader(() => api<RunList>(`/api/runs?${query}`), query, 300);
  const workflows = useLoader(() => api<{ workflows: WorkflowInfo[] }>("/api/workflows"), "workflows");
  const connected = useFeed("/api/events", runs.refresh);
  const list = runs.data?.runs ?? [];
  const now = useNow(true, 5000);
  const [text, setText] = useState(state.q);
  // Search as the operator types, once they pause.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the typed text triggers it.
  useEffect(() => {
    if (text === state.q) return;
    const t = setTimeout(() => update({ q: text }), 250);
    return () => clearTimeout(t);
  }, [text]);
  const names = [
    ...new Set([...(workflows.data?.workflows ?? []).map((w) => w.name), ...list.map((r) => r.graph)]),
  ];
  const counts = runs.data?.counts ?? {};
  const statuses = [...new Set([...STATUSES, ...Object.keys(counts)])];
  const crashed = new Set(runs.data?.crashed ?? []);
  const toggle = (s: string) =>
    update({
      statuses: state.statuses.includes(s) ? state.statuses.filter((x) => x !== s) : [...state.statuses, s],
    });
  const sortBy = (key: SortKey) =>
    update({ sort: key, order: state.sort === key && state.order === "desc" ? "asc" : "desc" });
  const filtered = state.q || state.statuses.length || state.graph || state.from || state.to;
  return (
    <main className="page runs-page">
      <header className="run-head">
        <h1>Runs</h1>
        <span className={`live ${connected ? "on" : ""}`} data-testid="live-indicator">
          ● {connected ? "live" : "offline"}
        </span>
      </header>
      <section className="filters" aria-label="Find runs">
        <label className="search">
          search
          <input
            type="search"
            placeholder="run id, or text in the input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="search"
          />
        </label>
        <label>
          workflow
          <select
            data-testid="filter-graph"
            value={state.graph}
            onChange={(e) => update({ graph: e.target.value })}
          >
            <option value="">any</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <TimeFilter
          label="started from"
          value={state.from}
          onChange={(from) => update({ from })}
          testId="filter-from"
        />
        <TimeFilter label="until" value={state.to} onChange={(to) => update({ to })} testId="filter-to" />
        {filtered ? (
          <button
            type="button"
            data-testid="clear-filters"
            onClick={() => {
              setText("");
              update({ q: "", statuses: [], graph: "", from: "", to: "" });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </section>
      <fieldset className="status-chips" data-testid="filter-status">
        <legend>status (any of)</legend>
        {statuses.map((s) => (
          <label key={s} className={`chip st-${s}${state.statuses.includes(s) ? " on" : ""}`}>
            <input
              type="checkbox"
              checked={state.statuses.includes(s)}
              onChange={() => toggle(s)}
              data-testid={`status-${s}`}
            />
            {s.replace("_", " ")}{" "}
            <b data-testid={`count-${s}`}>{count(counts[s as keyof typeof counts] ?? 0)}</b>
          </label>
        ))}
      </fieldset>
      {runs.error ? (
        <p className="error" role="alert">
          {runs.error.message}
        </p>
      ) : null}
      <Pager data={runs.data} state={state} update={update} />
      <table className="runs" data-testid="runs-table">
        <thead>
          <tr>
            <SortHeader label="status" sortKey="status" state={state} onSort={sortBy} />
            <SortHeader label="workflow" sortKey="graph" state={state} onSort={sortBy} />
            <th scope="col">run</th>
            <SortHeader label="started" sortKey="created" state={state} onSort={sortBy} />
            <SortHeader label="duration" sortKey="duration" state={state} onSort={sortBy} />
            <SortHeader label="last change" sortKey="updated" state={state} onSort={sortBy} />
            <th scope="col">step</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <Row key={r.id} run={r} now={now} crashed={crashed.has(r.id)} />
          ))}
          {runs.data && list.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                No runs{filtered ? " match" : " yet: start one below or with `baton run`"}.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <Pager data={runs.data} state={state} update={update} bottom />
      <NewRun workflows={workflows.data?.workflows ?? []} />
    </main>
  );
}

function TimeFilter(props: { label: string; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <label>
      {props.label}
      <input
        type="datetime-local"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}

function SortHeader(props: {
  label: string;
  sortKey: SortKey;
  state: ListState;
  onSort: (k: SortKey) => void;
}) {
  const on = props.state.sort === props.sortKey;
  const dir = on ? (props.state.order === "asc" ? "ascending" : "descending") : "none";
  return (
    <th scope="col" aria-sort={dir}>
      <button
        type="button"
        className="sort"
        onClick={() => props.onSort(props.sortKey)}
        data-testid={`sort-${props.sortKey}`}
      >
        {props.label} {on ? (props.state.order === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}

function Pager(props: {
  data: RunList | undefined;
  state: ListState;
  update: (p: Partial<ListState>) => void;
  bottom?: boolean;
}) {
  const { data, state, update } = props;
  if (!data) return <p className="pager muted">Loading…</p>;
  const first = data.total === 0 ? 0 : data.offset + 1;
  const last = data.offset + data.runs.length;
  return (
    <nav className="pager" aria-label={props.bottom ? "Pages (bottom)" : "Pages"}>
      <span data-testid={props.bottom ? undefined : "page-range"}>
        {count(first)}–{count(last)} of {count(data.total)}
      </span>
      <button
        type="button"
        disabled={state.offset === 0}
        onClick={() => update({ offset: Math.max(0, state.offset - state.limit) })}
        data-testid={props.bottom ? undefined : "page-prev"}
      >
        ← Newer
      </button>
      <button
        type="button"
        disabled={last >= data.total}
        onClick={() => update({ offset: state.offset + state.limit })}
        data-testid={props.bottom ? undefined : "page-next"}
      >
        Older →
      </button>
      {props.bottom ? null : (
        <label className="inline">
          per page{" "}
          <select
            value={state.limit}
            onChange={(e) => update({ limit: Number(e.target.value) })}
            data-testid="page-size"
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
    </nav>
  );
}

function Row({ run, now, crashed }: { run: RunRecord; now: number; crashed: boolean }) {
  const end = DRIVEN.has(run.status) ? Math.max(now, run.updatedAt) : run.updatedAt;
  const href = `/runs/${encodeURIComponent(run.id)}`;
  // The whole row opens the run; its link does too, once (it stops the click reaching the row).
  const open = (e: MouseEvent) => {
    if ((e.target as Element).closest("a, button, input, time")) return;
    navigate(href);
  };
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-status={run.status} onClick={open}>
      <td data-label="status">
        <StatusBadge status={run.status} />
        {crashed ? <span className="badge st-crashed">crashed</span> : null}
      </td>
      <td data-label="workflow">{run.graph}</td>
      <td data-label="run">
        <Link to={href} testId="run-link">
          <code title={run.id}>{shortId(run.id)}</code>
        </Link>
        {run.parent ? <span className="muted"> fork</span> : null}
      </td>
      <td data-label="started">
        <RelativeTime at={run.createdAt} now={now} />
      </td>
      <td data-label="duration">{duration(end - run.createdAt)}</td>
      <td data-label="last change">
        <RelativeTime at={run.updatedAt} now={now} />
      </td>
      <td data-label="step">{run.step}</td>
    </tr>
  );
}
