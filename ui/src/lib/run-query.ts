/**
 * The runs list's state, kept in the address (`/?q=tokyo&status=failed,cancelled&sort=duration`),
 * and the API query it stands for. Changing it replaces the current history entry: only opening
 * a run adds one, so Back returns to the list as it was.
 */
export type SortKey = "created" | "updated" | "duration" | "status" | "graph";

export interface ListState {
  readonly q: string;
  readonly statuses: readonly string[];
  readonly graph: string;
  /** `datetime-local` values (local time), "" for none. */
  readonly from: string;
  readonly to: string;
  readonly sort: SortKey;
  readonly order: "asc" | "desc";
  readonly offset: number;
  readonly limit: number;
}

export const PAGE_SIZES = [20, 50, 100, 200] as const;
const SORTS: readonly SortKey[] = ["created", "updated", "duration", "status", "graph"];

export function readListState(search: string): ListState {
  const q = new URLSearchParams(search);
  const sort = q.get("sort") as SortKey | null;
  const limit = Number(q.get("limit"));
  const offset = Number(q.get("offset"));
  return {
    q: q.get("q") ?? "",
    statuses: (q.get("status") ?? "").split(",").filter(Boolean),
    graph: q.get("graph") ?? "",
    from: q.get("from") ?? "",
    to: q.get("to") ?? "",
    sort: sort && SORTS.includes(sort) ? sort : "created",
    order: q.get("order") === "asc" ? "asc" : "desc",
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : 50,
  };
}

/** The address's query: only what differs from the defaults. */
export function writeListState(s: ListState): string {
  const q = new URLSearchParams();
  if (s.q) q.set("q", s.q);
  if (s.statuses.length) q.set("status", s.statuses.join(","));
  if (s.graph) q.set("graph", s.graph);
  if (s.from) q.set("from", s.from);
  if (s.to) q.set("to", s.to);
  if (s.sort !== "created") q.set("sort", s.sort);
  if (s.order !== "desc") q.set("order", s.order);
  if (s.offset) q.set("offset", String(s.offset));
  if (s.limit !== 50) q.set("limit", String(s.limit));
  return q.toString();
}

/** The `GET /api/runs` query: local times become epoch ms. */
export function apiQuery(s: ListState): string {
  const q = new URLSearchParams({
    sort: s.sort,
    order: s.order,
    offset: String(s.offset),
    limit: String(s.limit),
  });
  if (s.q.trim()) q.set("q", s.q.trim());
  if (s.statuses.length) q.set("status", s.statuses.join(","));
  if (s.graph) q.set("graph", s.graph);
  const from = s.from ? new Date(s.from).getTime() : Number.NaN;
  const to = s.to ? new Date(s.to).getTime() : Number.NaN;
  if (Number.isFinite(from)) q.set("from", String(from));
  if (Number.isFinite(to)) q.set("to", String(to));
  return q.toString();
}
