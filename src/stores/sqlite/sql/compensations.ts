import type { Database } from "better-sqlite3";
import type { CompensationRecord } from "../../../engine/records.js";
import type { ErrorInfo } from "../../../errors.js";
import { fromJson, toJson } from "../json.js";
import type { RunKeys } from "./run-keys.js";

interface CompensationRow {
  task_key: string;
  node: string;
  status: "done" | "failed";
  attempts: number;
  error: string | null;
  finished_at: number;
  started_at: number | null;
}

/** The saga log: which undos have run (or failed), so a resumed compensation skips the done ones. */
export function compensationStatements(db: Database, keys: RunKeys) {
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO compensations (run, task_key, node, status, attempts, error, finished_at, started_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare(
    "SELECT task_key, node, status, attempts, error, finished_at, started_at FROM compensations WHERE run = ? ORDER BY finished_at, task_key",
  );

  return {
    /** Serialise now; the returned write runs the insert. */
    prepare(r: CompensationRecord): () => void {
      const params = [
        keys.require(r.runId),
        r.taskKey,
        r.node,
        r.status,
        r.attempts,
        toJson(r.error),
        r.finishedAt,
        r.startedAt ?? null,
      ];
      return () => {
        upsert.run(...params);
      };
    },
    list(runId: string): CompensationRecord[] {
      const run = keys.find(runId);
      if (run === undefined) return [];
      return (select.all(run) as CompensationRow[]).map((row) => {
        const error = fromJson<ErrorInfo>(row.error);
        return {
          runId,
          taskKey: row.task_key,
          node: row.node,
          status: row.status,
          attempts: row.attempts,
          ...(error ? { error } : {}),
          ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
          finishedAt: row.finished_at,
        };
      });
    },
  };
}
