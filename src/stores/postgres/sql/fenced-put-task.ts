import type { NewHistoryEvent } from "../../../engine/history.js";
import type { TaskRecord } from "../../../engine/records.js";
import type { Fence } from "../cluster-store.js";
import { type Db, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { heldLease } from "./fence.js";
import { historyInsert } from "./history.js";

const FINAL = new Set(["succeeded", "continued", "failed", "interrupted", "waiting"]);

/**
 * `putTask` while the fence's lease is held; false when it is not (nothing written). Under a step
 * task's fence, a final record (anything but `retrying`) also removes the task from `step_tasks` in
 * the same statement: the record and the task's completion commit together, so a finished task is
 * never offered again and an offered task is never lost.
 */
export function putTaskFencedStatement(
  db: Db,
  fence: Fence,
  r: TaskRecord,
  history?: readonly NewHistoryEvent[],
): Statement {
  const s = db.schema;
  const held = heldLease(s, fence, 20);
  const logged = history?.length
    ? historyInsert(s, history, 20 + held.values.length, "EXISTS (SELECT 1 FROM held)")
    : undefined;
  const completes = fence.kind === "task" && FINAL.has(r.status);
  return prepared(
    "putTask (fenced)",
    `WITH held AS (${held.sql}),
     saved AS (
       INSERT INTO ${s}.tasks AS t (run_id, step, task_id, node, status, attempts, seq, writes, mode,
         goto, error, next_due_at, interrupts, resumes, history, started_at, finished_at, journal, wait)
       SELECT $1, $2::int, $3, $4, $5, $6::int, $7::int, $8::jsonb, $9, $10::jsonb, $11::jsonb,
         ${ts("$12")}, $13::jsonb, $14::jsonb, $15::jsonb, ${ts("$16")}, ${ts("$17")},
         $18::jsonb, $19::jsonb
       FROM held
       ON CONFLICT (run_id, step, task_id) DO UPDATE SET
         node = excluded.node, status = excluded.status, attempts = excluded.attempts, seq = excluded.seq,
         writes = excluded.writes, mode = excluded.mode, goto = excluded.goto, error = excluded.error,
         next_due_at = excluded.next_due_at, interrupts = excluded.interrupts, resumes = excluded.resumes,
         history = excluded.history, started_at = excluded.started_at, finished_at = excluded.finished_at,
         journal = excluded.journal, wait = excluded.wait
       RETURNING 1
     )${
       completes
         ? `,
     done AS (
       DELETE FROM ${s}.step_tasks AS d USING held
       WHERE d.run_id = $1 AND d.step = $2::int AND d.task_id = $3
     )`
         : ""
     }${
       // Only what was stored under the lease gets its history entries.
       logged
         ? `,
     logged AS (${logged.sql})`
         : ""
     }
     SELECT 1 AS written FROM saved`,
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
      toJsonText(r.journal),
      toJsonText(r.wait),
      ...held.values,
      ...(logged?.values ?? []),
    ],
  );
}
