import type { Database } from "better-sqlite3";
import type { Checkpoint, TaskSpec } from "../../../engine/records.js";
import type { RunKeys } from "./run-keys.js";

interface CheckpointRow {
  step: number;
  next: string;
  joins: string | null;
  created_at: number;
}

/**
 * A checkpoint holds only what runs next and how far each join has got (no state): a few dozen
 * bytes a step. Writing it and moving `runs.step` go in one transaction (the store's `WriteBatch`),
 * so a reader never sees a run whose step has no checkpoint.
 */
export function checkpointStatements(db: Database, keys: RunKeys) {
  const upsert = db.prepare(
    "INSERT OR REPLACE INTO checkpoints (run, step, next, joins, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const moveRun = db.prepare("UPDATE runs SET step = ?, updated_at = ? WHERE key = ?");
  const select = db.prepare(
    "SELECT step, next, joins, created_at FROM checkpoints WHERE run = ? ORDER BY step",
  );

  return {
    /** Serialise now; the returned write stores the checkpoint and moves the run (one transaction). */
    prepare(checkpoint: Checkpoint): () => void {
      const run = keys.require(checkpoint.runId);
      const joins = JSON.stringify(checkpoint.joins);
      const next = JSON.stringify(checkpoint.next);
      const { step, createdAt } = checkpoint;
      return () => {
        upsert.run(run, step, next, joins === "{}" ? null : joins, createdAt);
        moveRun.run(step, Date.now(), run);
      };
    },
    list(runId: string): Checkpoint[] {
      const run = keys.find(runId);
      if (run === undefined) return [];
      return (select.all(run) as CheckpointRow[]).map((row) => ({
        runId,
        step: row.step,
        next: JSON.parse(row.next) as TaskSpec[],
        joins: row.joins === null ? {} : (JSON.parse(row.joins) as Record<string, string[]>),
        createdAt: row.created_at,
      }));
    },
  };
}
