import type { Database, Statement } from "better-sqlite3";
import type { RunStatus } from "../../../engine/records.js";
import type { RunSearch, RunSearchPage, RunSort } from "../../../engine/run-search.js";
import { type RunRow, toRun } from "./runs.js";

const ORDER: Record<RunSort, string> = {
  created: "created_at",
  updated: "updated_at",
  duration: "(updated_at - created_at)",
  status: "status",
  graph: "graph",
};

/** `%`, `_` and `\` in what the operator typed match themselves. */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The dashboard's run list: the counts per status (one pass over the status index when nothing
 * else narrows), then one page. The sorted columns are indexed (migration 3) so a page near the
 * top of 100,000 runs reads about `limit` rows. Both read in one transaction: the totals match
 * the page. Statements are prepared once per shape.
 */
export function searchRunsStatement(db: Database): (search: RunSearch) => RunSearchPage {
  const cache = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return db.transaction((search: RunSearch): RunSearchPage => {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (search.graph) {
      where.push("graph = @graph");
      params.graph = search.graph;
    }
    if (search.from !== undefined) {
      where.push("created_at >= @from");
      params.from = search.from;
    }
    if (search.to !== undefined) {
      where.push("created_at < @to");
      params.to = search.to;
    }
    if (search.text) {
      // LIKE is case-insensitive for ASCII in SQLite; input is stored as JSON text.
      where.push("(id LIKE @like ESCAPE '\\' OR input LIKE @like ESCAPE '\\')");
      params.like = likeOf(search.text);
    }
    const base = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const rows = prepared(`SELECT status, count(*) AS n FROM runs ${base} GROUP BY status`).all(params) as {
      status: RunStatus;
      n: number;
    }[];
    const counts: Partial<Record<RunStatus, number>> = {};
    for (const r of rows) counts[r.status] = r.n;
    const statuses = search.statuses?.length ? search.statuses : undefined;
    const total = statuses
      ? statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0)
      : rows.reduce((sum, r) => sum + r.n, 0);
    const limit = search.limit ?? 50;
    if (total === 0 || limit === 0) return { runs: [], total, counts };
    const page = [...where];
    if (statuses) {
      page.push(`status IN (${statuses.map((_, i) => `@s${i}`).join(", ")})`);
      statuses.forEach((s, i) => {
        params[`s${i}`] = s;
      });
    }
    const dir = search.order === "asc" ? "ASC" : "DESC";
    const sql = `SELECT * FROM runs ${page.length ? `WHERE ${page.join(" AND ")}` : ""}
      ORDER BY ${ORDER[search.sort ?? "created"]} ${dir}, key ${dir} LIMIT @limit OFFSET @offset`;
    const found = prepared(sql).all({ ...params, limit, offset: search.offset ?? 0 }) as RunRow[];
    return { runs: found.map(toRun), total, counts };
  });
}
