import type { RunStatus } from "../../../engine/records.js";
import type { RunSearch, RunSearchPage, RunSort } from "../../../engine/run-search.js";
import { type Db, query } from "../db.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

const ORDER: Record<RunSort, string> = {
  created: "r.created_at",
  updated: "r.updated_at",
  duration: "(r.updated_at - r.created_at)",
  status: "r.status",
  graph: "r.graph",
};

/** `%`, `_` and `\` in what the operator typed match themselves (`\` is LIKE's escape). */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The dashboard's run list: counts per status and one page, asked at once (two statements on the
 * pool; a run finishing in between may show in one and not the other for a refresh). The
 * `runs_created`, `runs_status_created` and `runs_graph_created` indexes give the page in order.
 */
export async function searchRuns(db: Db, search: RunSearch): Promise<RunSearchPage> {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (search.graph) where.push(`r.graph = ${param(search.graph)}`);
  if (search.from !== undefined)
    where.push(`r.created_at >= to_timestamp(${param(search.from)}::double precision / 1000)`);
  if (search.to !== undefined)
    where.push(`r.created_at < to_timestamp(${param(search.to)}::double precision / 1000)`);
  if (search.text) {
    const like = param(likeOf(search.text));
    where.push(`(r.id ILIKE ${like} OR r.input::text ILIKE ${like})`);
  }
  const base = values.length;
  const statuses = search.statuses?.length ? search.statuses : undefined;
  const page = [...where];
  if (statuses) page.push(`r.status = ANY(${param(statuses)}::text[])`);
  const dir = search.order === "asc" ? "ASC" : "DESC";
  const clause = (w: string[]) => (w.length ? `WHERE ${w.join(" AND ")}` : "");
  const limit = search.limit ?? 50;
  const [countRows, rows] = await Promise.all([
    query<{ status: RunStatus; n: string }>(
      db.pool,
      "searchRuns",
      `SELECT r.status, count(*) AS n FROM ${db.schema}.runs AS r ${clause(where)} GROUP BY r.status`,
      values.slice(0, base),
    ),
    query<RunRow>(
      db.pool,
      "searchRuns",
      `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r ${clause(page)}
       ORDER BY ${ORDER[search.sort ?? "created"]} ${dir}, r.seq ${dir}
       LIMIT ${param(limit)} OFFSET ${param(search.offset ?? 0)}`,
      values,
    ),
  ]);
  const counts: Partial<Record<RunStatus, number>> = {};
  for (const c of countRows) counts[c.status] = Number(c.n);
  const total = (statuses ?? (Object.keys(counts) as RunStatus[])).reduce((n, s) => n + (counts[s] ?? 0), 0);
  return { runs: rows.map(runFromRow), total, counts };
}
