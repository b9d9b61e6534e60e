import type { Database } from "better-sqlite3";
import type { TaskRecord, TaskStatus } from "../../../engine/records.js";
import { compareTaskIds } from "../../../engine/writes.js";
import type { RunKeys } from "./run-keys.js";

interface TaskRow {
  step: number;
  task_id: string;
  node: string;
  status: TaskStatus;
  attempts: number;
  seq: number;
  started_at: number;
  finished_at: number;
  data: string | null;
}

/**
 * Task records: one row per (run, step, task), replaced as the task moves on (retrying, then
 * succeeded). The writes and the rest of the record go in one JSON `data` column: a task's writes
 * are stored once, here, and nowhere else.
 */
export function taskStatements(db: Database, keys: RunKeys) {
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO tasks (run, step, task_id, node, status, attempts, seq, started_at, finished_at, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare(
    "SELECT step, task_id, node, status, attempts, seq, started_at, finished_at, data FROM tasks WHERE run = ? ORDER BY step",
  );

  return {
    /** Serialise now (the caller may change its objects later); the returned write runs the insert. */
    prepare(record: TaskRecord): () => void {
      const { runId, step, taskId, node, status, attempts, seq, startedAt, finishedAt, ...rest } = record;
      const run = keys.require(runId);
      const json = JSON.stringify(rest);
      const data = json === "{}" ? null : json;
      return () => {
        upsert.run(run, step, taskId, node, status, attempts, seq, startedAt, finishedAt, data);
      };
    },
    list(runId: string): TaskRecord[] {
      const run = keys.find(runId);
      if (run === undefined) return [];
      const rows = select.all(run) as TaskRow[];
      // Within a step, the order writes apply in (node name, then send index numerically).
      rows.sort((a, b) => a.step - b.step || compareTaskIds(a.task_id, b.task_id));
      return rows.map((row) => ({
        runId,
        step: row.step,
        taskId: row.task_id,
        node: row.node,
        status: row.status,
        attempts: row.attempts,
        seq: row.seq,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        ...(row.data === null ? {} : (JSON.parse(row.data) as object)),
      }));
    },
  };
}
