import type { Database } from "better-sqlite3";
import type { HistoryEvent, HistoryPage, NewHistoryEvent } from "../../../engine/history.js";
import type { RunKeys } from "./run-keys.js";

interface HistoryRow {
  seq: number;
  at: number;
  type: string;
  data: string;
}

/** A run's history: rows appended in recording order, never updated. */
export function historyStatements(db: Database, keys: RunKeys) {
  // The next `seq` of the run is read in the same write transaction: writers are serialised, so
  // two processes appending to one run never take the same number.
  const insert = db.prepare(
    `INSERT INTO history (run, seq, at, type, data)
     VALUES (@run, (SELECT coalesce(max(seq), 0) + 1 FROM history WHERE run = @run), @at, @type, @data)`,
  );
  const select = db.prepare(
    "SELECT seq, at, type, data FROM history WHERE run = ? AND seq > ? ORDER BY seq LIMIT ?",
  );

  return {
    /** Serialise now; the returned write appends the rows. */
    prepare(events: readonly NewHistoryEvent[]): () => void {
      const rows = events.map(({ runId, at, type, ...data }) => ({
        run: keys.require(runId),
        at,
        type,
        data: JSON.stringify(data),
      }));
      return () => {
        for (const row of rows) insert.run(row);
      };
    },
    list(runId: string, page: HistoryPage = {}): HistoryEvent[] {
      const run = keys.find(runId);
      if (run === undefined) return [];
      return (select.all(run, page.after ?? 0, page.limit ?? 1000) as HistoryRow[]).map(
        (row) =>
          ({ ...JSON.parse(row.data), runId, at: row.at, type: row.type, seq: row.seq }) as HistoryEvent,
      );
    },
  };
}
