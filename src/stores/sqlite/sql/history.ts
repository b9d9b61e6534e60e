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
  const insert = db.prepare("INSERT INTO history (run, at, type, data) VALUES (?, ?, ?, ?)");
  const select = db.prepare(
    "SELECT seq, at, type, data FROM history WHERE run = ? AND seq > ? ORDER BY seq LIMIT ?",
  );

  return {
    /** Serialise now; the returned write appends the rows. */
    prepare(events: readonly NewHistoryEvent[]): () => void {
      const rows = events.map(({ runId, at, type, ...data }) => [
        keys.require(runId),
        at,
        type,
        JSON.stringify(data),
      ]);
      return () => {
        for (const row of rows) insert.run(...row);
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
