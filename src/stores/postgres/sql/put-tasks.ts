import type { TaskRecord } from "../../../engine/records.js";
import { type Db, prepared, type Statement } from "../db.js";
import { toJsonText } from "../json-codec.js";

const COLUMNS = `run_id, step, task_id, node, status, attempts, seq, writes, mode, goto, error, next_due_at,
       interrupts, resumes, history, started_at, finished_at, journal, wait`;

/**
 * Many task records (of tasks finishing in the same turn: a parallel step) upserted by one
 * statement, one array per column: a fan-out of 100 stores its records in one statement instead of
 * 100 in one transaction. The same effect as `putTask` for each record in order: of two records
 * with one key, the later one replaces the earlier, so only the last is kept here (one statement
 * cannot upsert the same row twice).
 */
export function putTasksStatement(db: Db, records: readonly TaskRecord[]): Statement {
  const last = new Map<string, TaskRecord>();
  for (const r of records) {
    const key = `${r.runId}\u0000${r.step}\u0000${r.taskId}`;
    last.delete(key); // keep issue order for the survivors
    last.set(key, r);
  }
  const rows = [...last.values()];
  const col = <T>(f: (r: TaskRecord) => T) => rows.map(f);
  return prepared(
    "putTask (several)",
    `INSERT INTO ${db.schema}.tasks AS t (${COLUMNS})
     SELECT run_id, step, task_id, node, status, attempts, seq, writes::jsonb, mode, goto::jsonb, error::jsonb,
       to_timestamp(next_due_at / 1000), interrupts::jsonb, resumes::jsonb, history::jsonb,
       to_timestamp(started_at / 1000), to_timestamp(finished_at / 1000), journal::jsonb, wait::jsonb
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::float8[], $13::text[], $14::text[], $15::text[], $16::float8[],
       $17::float8[], $18::text[], $19::text[]) AS u(${COLUMNS})
     ON CONFLICT (run_id, step, task_id) DO UPDATE SET
       node = excluded.node, status = excluded.status, attempts = excluded.attempts, seq = excluded.seq,
       writes = excluded.writes, mode = excluded.mode, goto = excluded.goto, error = excluded.error,
       next_due_at = excluded.next_due_at, interrupts = excluded.interrupts, resumes = excluded.resumes,
       history = excluded.history, started_at = excluded.started_at, finished_at = excluded.finished_at,
       journal = excluded.journal, wait = excluded.wait`,
    [
      col((r) => r.runId),
      col((r) => r.step),
      col((r) => r.taskId),
      col((r) => r.node),
      col((r) => r.status),
      col((r) => r.attempts),
      col((r) => r.seq),
      col((r) => toJsonText(r.writes)),
      col((r) => r.mode ?? null),
      col((r) => toJsonText(r.goto)),
      col((r) => toJsonText(r.error)),
      col((r) => r.nextDueAt ?? null),
      col((r) => toJsonText(r.interrupts)),
      col((r) => toJsonText(r.resumes)),
      col((r) => toJsonText(r.history)),
      col((r) => r.startedAt),
      col((r) => r.finishedAt),
      col((r) => toJsonText(r.journal)),
      col((r) => toJsonText(r.wait)),
    ],
  );
}
