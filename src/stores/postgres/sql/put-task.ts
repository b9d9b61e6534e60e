import type { NewHistoryEvent } from "../../../engine/history.js";
import type { TaskRecord } from "../../../engine/records.js";
import { type Db, query, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { historyInsert } from "./history.js";

/** Insert or replace the record of `(runId, step, taskId)`: a task's latest word is its record. */
export async function putTask(db: Db, r: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
  // The attempt's history entries ride in the same statement: one round trip, one commit.
  const logged = history?.length ? historyInsert(db.schema, history, 18) : undefined;
  await query(
    db.pool,
    "putTask",
    `${logged ? `WITH logged AS (${logged.sql}) ` : ""}INSERT INTO ${db.schema}.tasks AS t (run_id, step, task_id, node, status, attempts, seq, writes, mode,
       goto, error, next_due_at, interrupts, resumes, history, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb, $11::jsonb, ${ts("$12")}, $13::jsonb,
       $14::jsonb, $15::jsonb, ${ts("$16")}, ${ts("$17")})
     ON CONFLICT (run_id, step, task_id) DO UPDATE SET
       node = excluded.node, status = excluded.status, attempts = excluded.attempts, seq = excluded.seq,
       writes = excluded.writes, mode = excluded.mode, goto = excluded.goto, error = excluded.error,
       next_due_at = excluded.next_due_at, interrupts = excluded.interrupts, resumes = excluded.resumes,
       history = excluded.history, started_at = excluded.started_at, finished_at = excluded.finished_at`,
    [
      r.runId,
      r.step,
      r.taskId,
      r.node,
      r.status,
      r.attempts,
      r.seq,
      toJsonText(r.writes),
      r.mode ?? null,
      toJsonText(r.goto),
      toJsonText(r.error),
      r.nextDueAt ?? null,
      toJsonText(r.interrupts),
      toJsonText(r.resumes),
      toJsonText(r.history),
      r.startedAt,
      r.finishedAt,
      ...(logged?.values ?? []),
    ],
  );
}
