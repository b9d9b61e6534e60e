import type { RunRecord, RunStatus } from "./records.js";

/** The orders a run list can be sorted in. `duration` is `updatedAt - createdAt`. */
export const RUN_SORTS = ["created", "updated", "duration", "status", "graph"] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** What an operator looks for: every field narrows the list; none lists every run. */
export interface RunSearch {
  statuses?: readonly RunStatus[];
  graph?: string;
  /** Part of the run's id or of its input's JSON text (case-insensitive). */
  text?: string;
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms). */
  to?: number;
  /** Default `created`, newest first. */
  sort?: RunSort;
  order?: "asc" | "desc";
  offset?: number;
  /** Default 50. */
  limit?: number;
}

/** One page of a search, with how many runs match in all and how many of each status. */
export interface RunSearchPage {
  readonly runs: RunRecord[];
  /** Runs matching every field. */
  readonly total: number;
  /** Runs matching every field but `statuses`, per status (absent statuses have none). */
  readonly counts: Partial<Record<RunStatus, number>>;
}

/** The search done over records in memory: the memory store's, and the fallback for other stores. */
export function searchRecords(runs: readonly RunRecord[], search: RunSearch): RunSearchPage {
  const text = search.text?.toLowerCase();
  const matches = runs.filter(
    (r) =>
      (!search.graph || r.graph === search.graph) &&
      (search.from === undefined || r.createdAt >= search.from) &&
      (search.to === undefined || r.createdAt < search.to) &&
      (!text || r.id.toLowerCase().includes(text) || inputText(r).includes(text)),
  );
  const counts: Partial<Record<RunStatus, number>> = {};
  for (const r of matches) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const statuses = search.statuses?.length ? new Set(search.statuses) : undefined;
  const picked = statuses ? matches.filter((r) => statuses.has(r.status)) : matches;
  const sign = search.order === "asc" ? 1 : -1;
  const key = sortKey(search.sort ?? "created");
  // Input order breaks ties (stores hand runs over newest first).
  const sorted = picked
    .map((r, i) => ({ r, i }))
    .sort((a, b) => sign * compare(key(a.r), key(b.r)) || (sign > 0 ? b.i - a.i : a.i - b.i))
    .map(({ r }) => r);
  const offset = search.offset ?? 0;
  return { runs: sorted.slice(offset, offset + (search.limit ?? 50)), total: picked.length, counts };
}

const inputText = (r: RunRecord) => (JSON.stringify(r.input) ?? "").toLowerCase();

function sortKey(sort: RunSort): (r: RunRecord) => number | string {
  switch (sort) {
    case "updated":
      return (r) => r.updatedAt;
    case "duration":
      return (r) => r.updatedAt - r.createdAt;
    case "status":
      return (r) => r.status;
    case "graph":
      return (r) => r.graph;
    default:
      return (r) => r.createdAt;
  }
}

const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
