import type { RunRecord } from "../../../engine/records.js";
import type { DueFilter, NewEvent, TakenEvent } from "../../../engine/store.js";
import { refuseEvent } from "../../due.js";
import { type Db, ms, query, transaction, ts } from "../db.js";
import { fromJsonText, toJsonText } from "../json-codec.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

/**
 * Due and free: a wake time that passed, or (for a waiting run) a kept event whose name one of its
 * waits names. Shared with the workers' claim, so both agree on what is due.
 */
export const DUE_RUN = (r: string, s: string) => `(${r}.status IN ('sleeping', 'waiting', 'pending')
    AND (${r}.lease_expires_at IS NULL OR ${r}.lease_expires_at <= statement_timestamp())
    AND ((${r}.wake_at IS NOT NULL AND ${r}.wake_at <= statement_timestamp())
      OR (${r}.status = 'waiting' AND EXISTS (
        SELECT 1 FROM ${s}.events AS e, jsonb_array_elements(${r}.waits) AS w
        WHERE e.run_id = ${r}.id AND e.consumer IS NULL AND e.name = w->>'event'))))`;

export async function listDue(db: Db, now: number, filter: DueFilter = {}): Promise<RunRecord[]> {
  // `now` is the caller's clock; the store's own (statement_timestamp) decides, as for leases.
  void now;
  const rows = await query<RunRow>(
    db.pool,
    "listDue",
    `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r
     WHERE ${DUE_RUN("r", db.schema)} AND ($1::text IS NULL OR r.id = $1)
     ORDER BY r.wake_at NULLS FIRST, r.seq LIMIT $2`,
    [filter.runId ?? null, filter.limit ?? 100],
  );
  return rows.map(runFromRow);
}

/** The run is locked while it is checked, so an event never lands on a run finishing meanwhile. */
export function sendEvent(db: Db, event: NewEvent): Promise<number> {
  return transaction(db.pool, "sendEvent", async (client) => {
    const [row] = await query<RunRow>(
      client,
      "sendEvent",
      `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r WHERE r.id = $1 FOR UPDATE`,
      [event.runId],
    );
    refuseEvent(event.runId, row && runFromRow(row));
    const [sent] = await query<{ seq: string }>(
      client,
      "sendEvent",
      `INSERT INTO ${db.schema}.events (run_id, name, payload, sent_at, sent_by)
       VALUES ($1, $2, $3::jsonb, statement_timestamp(), $4::jsonb) RETURNING seq`,
      [event.runId, event.name, toJsonText(event.payload), toJsonText(event.by)],
    );
    return Number(sent!.seq);
  });
}

interface EventRow {
  seq: string;
  payload: string | null;
  sent_at: number;
  timeout: boolean;
}

const EVENT_COLUMNS = `seq, payload::text AS payload, ${ms("sent_at", "sent_at")}, timeout`;

/**
 * The wait's event, in one transaction: the one it took before, else the oldest free one of that
 * name (`SKIP LOCKED`: two waits never take the same), else its timeout when it timed out.
 */
export function takeEvent(
  db: Db,
  runId: string,
  name: string,
  consumer: string,
  timedOut: boolean,
): Promise<TakenEvent | undefined> {
  const s = db.schema;
  return transaction(db.pool, "takeEvent", async (client) => {
    const [before] = await query<EventRow>(
      client,
      "takeEvent",
      `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE run_id = $1 AND consumer = $2`,
      [runId, consumer],
    );
    if (before) return taken(before);
    const [next] = await query<EventRow>(
      client,
      "takeEvent",
      `UPDATE ${s}.events SET consumer = $3 WHERE seq = (
         SELECT seq FROM ${s}.events WHERE run_id = $1 AND name = $2 AND consumer IS NULL
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${EVENT_COLUMNS}`,
      [runId, name, consumer],
    );
    if (next) return { ...taken(next), fresh: true };
    if (!timedOut) return undefined;
    const [marker] = await query<EventRow>(
      client,
      "takeEvent",
      `INSERT INTO ${s}.events (run_id, name, sent_at, consumer, timeout)
       VALUES ($1, $2, ${ts("$4")}, $3, true)
       ON CONFLICT (run_id, consumer) WHERE consumer IS NOT NULL DO NOTHING
       RETURNING ${EVENT_COLUMNS}`,
      [runId, name, consumer, Date.now()],
    );
    return marker ? { ...taken(marker), fresh: true } : undefined;
  });
}

function taken(row: EventRow): TakenEvent {
  if (row.timeout) return { kind: "timeout", at: row.sent_at };
  return { kind: "event", seq: Number(row.seq), payload: fromJsonText(row.payload), sentAt: row.sent_at };
}
