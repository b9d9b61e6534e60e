import type { Database } from "better-sqlite3";
import type { Checkpoint, TaskSpec } from "../../../engine/records.js";

interface CheckpointRow {
  step: number;
  next: string;
  joins: string | null;
  created_at: number;
}

/**
 * A checkpoint holds only what runs next and how far each join has got (no state): a few dozen
 * bytes a step. Writing it and moving `runs.step` is one transaction, so a reader never sees a
 * run whose step has no checkpoint.
 */
export function checkpointStatements(db: Database) {
  const upsert = db.prepare(
    "INSERT OR REPLACE INTO checkpoints (run_id, step, next, joins, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const moveRun = db.prepare("UPDATE runs SET step = ?, updated_at = ? WHERE id = ?");
  const select = db.prepare(
    "SELECT step, next, joins, created_at FROM checkpoints WHERE run_id = ? ORDER BY step",
  );
  const put = db.transaction((c: Checkpoint) => {
    const joins = JSON.stringify(c.joins);
    upsert.run(c.runId, c.step, JSON.stringify(c.next), joins === "{}" ? null : joins, c.createdAt);
    moveRun.run(c.step, Date.now(), c.runId);
  });

  return {
    put(checkpoint: Checkpoint): void {
      put.immediate(checkpoint);
    },
    list(runId: string): Checkpoint[] {
      return (select.all(runId) as CheckpointRow[]).map((row) => ({
        runId,
        step: row.step,
        next: JSON.parse(row.next) as TaskSpec[],
        joins: row.joins === null ? {} : (JSON.parse(row.joins) as Record<string, string[]>),
        createdAt: row.created_at,
      }));
    },
  };
}
