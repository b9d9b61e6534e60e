import type { Database } from "better-sqlite3";
import type { RunRecord } from "../../../engine/records.js";
import type { DueFilter, NewEvent, TakenEvent } from "../../../engine/store.js";
import { refuseEvent } from "../../due.js";
import { fromJson, toJson } from "../json.js";
import type { RunKeys } from "./run-keys.js";
import { type RunRow, toRun } from "./runs.js";

interface EventRow {
  seq: number;
  payload: string | null;
  sent_at: number;
  timeout: number;
}

/**
 * Due runs nobody holds: a wake time that passed, or (for a waiting run) a kept event whose name
 * one of its waits names. Statuses come first so SQLite reads only the few runs that wait.
 */
const DUE = `SELECT * FROM runs AS r
WHERE r.status IN ('sleeping', 'waiting', 'pending')
  AND (@runId IS NULL OR r.id = @runId)
  AND (r.owner_id IS NULL OR r.lease_expires_at <= @now)
  AND ((r.wake_at IS NOT NULL AND r.wake_at <= @now)
    OR (r.status = 'waiting' AND EXISTS (
      SELECT 1 FROM events AS e, json_each(r.waits) AS w
      WHERE e.run = r.key AND e.consumer IS NULL AND e.name = json_extract(w.value, '$.event'))))
ORDER BY coalesce(r.wake_at, 0), r.key
LIMIT @limit`;

/** Events kept for runs, and the due-work query that looks at them. */
export function eventStatements(db: Database, keys: RunKeys, getRun: (id: string) => RunRecord | undefined) {
  const due = db.prepare(DUE);
  const insert = db.prepare(
    "INSERT INTO events (run, name, payload, sent_at, sent_by) VALUES (?, ?, ?, ?, ?) RETURNING seq",
  );
  const mine = db.prepare("SELECT seq, payload, sent_at, timeout FROM events WHERE run = ? AND consumer = ?");
  const oldest = db.prepare(
    "SELECT seq, payload, sent_at, timeout FROM events WHERE run = ? AND name = ? AND consumer IS NULL ORDER BY seq LIMIT 1",
  );
  const take = db.prepare("UPDATE events SET consumer = ? WHERE seq = ?");
  const timeout = db.prepare(
    "INSERT INTO events (run, name, sent_at, consumer, timeout) VALUES (?, ?, ?, ?, 1) RETURNING seq",
  );

  const taken = (row: EventRow): TakenEvent =>
    row.timeout
      ? { kind: "timeout", at: row.sent_at }
      : { kind: "event", seq: row.seq, payload: fromJson(row.payload), sentAt: row.sent_at };

  const send = db.transaction((event: NewEvent): number => {
    refuseEvent(event.runId, getRun(event.runId));
    const run = keys.require(event.runId);
    const row = insert.get(run, event.name, toJson(event.payload), Date.now(), toJson(event.by)) as {
      seq: number;
    };
    return row.seq;
  });
  const takeFor = db.transaction(
    (runId: string, name: string, consumer: string, timedOut: boolean): TakenEvent | undefined => {
      const run = keys.require(runId);
      const before = mine.get(run, consumer) as EventRow | undefined;
      if (before) return taken(before);
      const next = oldest.get(run, name) as EventRow | undefined;
      if (next) {
        take.run(consumer, next.seq);
        return { ...taken(next), fresh: true };
      }
      if (!timedOut) return undefined;
      const at = Date.now();
      timeout.run(run, name, at, consumer);
      return { kind: "timeout", at, fresh: true };
    },
  );

  return {
    due(now: number, filter: DueFilter = {}): RunRecord[] {
      const rows = due.all({ now, runId: filter.runId ?? null, limit: filter.limit ?? 100 }) as RunRow[];
      return rows.map(toRun);
    },
    /** In one write transaction: the run is checked and the event kept atomically. */
    send: (event: NewEvent): number => send.immediate(event),
    take: (runId: string, name: string, consumer: string, timedOut: boolean): TakenEvent | undefined =>
      takeFor.immediate(runId, name, consumer, timedOut),
  };
}
