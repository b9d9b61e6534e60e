import type { HistoryEvent, HistoryPage, NewHistoryEvent } from "../../../engine/history.js";
import { type Db, execute, ms, prepared, query, type Statement, ts } from "../db.js";
import { fromJsonText, toJsonText } from "../json-codec.js";

/** Append entries to runs' histories in one statement, in the order given. */
export async function appendHistory(db: Db, events: readonly NewHistoryEvent[]): Promise<void> {
  if (events.length === 0) return;
  await execute(db.pool, appendHistoryStatement(db, events));
}

/** `appendHistory` (of at least one entry) as one statement, for a run's group commit. */
export function appendHistoryStatement(db: Db, events: readonly NewHistoryEvent[]): Statement {
  const insert = historyInsert(db.schema, events, 1);
  return prepared("appendHistory", insert.sql, insert.values);
}

interface HistoryRow {
  seq: string;
  at: number;
  type: string;
  data: string;
}

export async function listHistory(db: Db, runId: string, page: HistoryPage = {}): Promise<HistoryEvent[]> {
  // Ordered by the column, not by the `seq` text it is read as (which would put 10 before 9).
  const rows = await query<HistoryRow>(
    db.pool,
    "listHistory",
    `SELECT h.seq::text AS seq, ${ms("h.at", "at")}, h.type, h.data::text AS data FROM ${db.schema}.history AS h
     WHERE h.run_id = $1 AND h.seq > $2 ORDER BY h.seq LIMIT $3`,
    [runId, page.after ?? 0, page.limit ?? 1000],
  );
  return rows.map(
    (row) =>
      ({
        ...fromJsonText<Record<string, unknown>>(row.data),
        runId,
        at: row.at,
        type: row.type,
        seq: Number(row.seq),
      }) as HistoryEvent,
  );
}

/**
 * The INSERT of history entries as a statement fragment whose parameters start at `$first`, to
 * ride in the statement of the record they belong to (one round trip, one commit).
 */
export function historyInsert(
  schema: string,
  events: readonly NewHistoryEvent[],
  first: number,
  /** A condition the rows are inserted under (e.g. that the lease is held). */
  when?: string,
): { sql: string; values: unknown[] } {
  const runIds: string[] = [];
  const ats: number[] = [];
  const types: string[] = [];
  const data: string[] = [];
  for (const { runId, at, type, ...rest } of events) {
    runIds.push(runId);
    ats.push(at);
    types.push(type);
    data.push(toJsonText(rest) ?? "{}");
  }
  const p = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO ${schema}.history (run_id, at, type, data)
     SELECT r, ${ts("a")}, t, d::jsonb
     FROM unnest(${p(0)}::text[], ${p(1)}::float8[], ${p(2)}::text[], ${p(3)}::text[]) WITH ORDINALITY AS e(r, a, t, d, n)
     ${when ? `WHERE ${when}` : ""} ORDER BY n`,
    values: [runIds, ats, types, data],
  };
}
