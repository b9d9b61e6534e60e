import type { NewHistoryEvent } from "../../../engine/history.js";
import type { TaskRecord } from "../../../engine/records.js";
import { type Db, execute, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { historyInsert } from "./history.js";
import { putTasksStatement } from "./put-tasks.js";

/** Insert or replace the record of `(runId, step, taskId)`: a task's latest word is its record. */
export async function putTask(db: Db, r: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
  await execute(db.pool, putTaskStatement(db, r, history));
}

/** `putTask` as one statement, to run alone or in a run's group commit (`CommitLanes`). */
export function putTaskStatement(db: Db, r: TaskRecord, history?: readonly NewHistoryEvent[]): Statement {
  const insert = taskInsert(db.schema, r, 1);
  if (!history?.length) {
    const merge = {
      kind: `${db.schema}.tasks`,
      item: r,
      combine: (items: readonly unknown[]) => putTasksStatement(db, items as TaskRecord[]),
    };
    return { ...prepared("putTask", insert.sql, insert.values), merge };
  }
  // The attempt's history entries ride in the same statement: one round trip, one commit.
  const logged = history?.length ? historyInsert(db.schema, history, 1 + insert.values.length) : undefined;
  return prepared("putTask", `${logged ? `WITH logged AS (${logged.sql}) ` : ""}${insert.sql}`, [
    ...insert.values,
    ...(logged?.values ?? []),
  ]);
}

/**
 * The upsert of a task record as a statement fragment whose parameters start at `$first`; with
 * `from`, one row per row of that relation (e.g. only when the run was just created).
 */
export function taskInsert(
  schema: string,
  r: TaskRecord,
  first: number,
  from?: string,
): { sql: string; values: unknown[] } {
  const p = (i: number, cast = "") => `$${first + i}${cast}`;
  return {
    sql: `INSERT INTO ${schema}.tasks AS t (run_id, step, task_id, node, status, attempts, seq, writes, mode,
       goto, error, next_due_at, interrupts, resumes, history, started_at, finished_at, journal, wait)
     SELECT ${p(0, "::text")}, ${p(1, "::int")}, ${p(2, "::text")}, ${p(3, "::text")}, ${p(4, "::text")},
       ${p(5, "::int")}, ${p(6, "::int")}, ${p(7, "::jsonb")}, ${p(8, "::text")}, ${p(9, "::jsonb")},
       ${p(10, "::jsonb")}, ${ts(p(11))}, ${p(12, "::jsonb")}, ${p(13, "::jsonb")}, ${p(14, "::jsonb")},
       ${ts(p(15))}, ${ts(p(16))}, ${p(17, "::jsonb")}, ${p(18, "::jsonb")}${from ? ` FROM ${from}` : ""}
     ON CONFLICT (run_id, step, task_id) DO UPDATE SET
       node = excluded.node, status = excluded.status, attempts = excluded.attempts, seq = excluded.seq,
       writes = excluded.writes, mode = excluded.mode, goto = excluded.goto, error = excluded.error,
       next_due_at = excluded.next_due_at, interrupts = excluded.interrupts, resumes = excluded.resumes,
       history = excluded.history, started_at = excluded.started_at, finished_at = excluded.finished_at,
       journal = excluded.journal, wait = excluded.wait`,
    values: [
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
    ],
  };
}
