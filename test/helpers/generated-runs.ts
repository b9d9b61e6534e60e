/**
 * A SQLite store filled with many runs by direct inserts in one transaction (100,000 in well
 * under a second): the dashboard's list measured at the size operators reach, without running
 * a workflow 100,000 times. Runs are spread over workflows, statuses and time, newest last.
 */
import type { RunStatus } from "../../src/engine/records.js";
import type { SqliteStore } from "../../src/stores/sqlite/store.js";

export const GENERATED_GRAPHS = ["order-saga", "support-router", "parallel-research"] as const;
export const GENERATED_STATUSES: readonly RunStatus[] = [
  "completed",
  "completed",
  "completed",
  "failed",
  "compensated",
  "interrupted",
  "cancelled",
  "completed",
];
const CITIES = ["London", "Tokyo", "Sydney", "New York", "Paris"];

/** Run `i` of a generated store: its id, workflow, status, input and times. */
export function generatedRun(i: number, startAt: number) {
  const createdAt = startAt + i * 1000;
  return {
    id: `gen-${String(i).padStart(6, "0")}`,
    graph: GENERATED_GRAPHS[i % GENERATED_GRAPHS.length]!,
    status: GENERATED_STATUSES[i % GENERATED_STATUSES.length]!,
    input: { query: `weather in ${CITIES[i % CITIES.length]} #${i}`, customer: `c${i % 977}@example.com` },
    createdAt,
    updatedAt: createdAt + (i % 13) * 37,
  };
}

export function fillRuns(store: SqliteStore, count: number, startAt = Date.UTC(2026, 0, 1)): void {
  const insert = store.db.prepare(
    `INSERT INTO runs (id, graph, graph_hash, status, queue, step, input, created_at, updated_at)
     VALUES (?, ?, 'h', ?, 'default', 3, ?, ?, ?)`,
  );
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const r = generatedRun(i, startAt);
      insert.run(r.id, r.graph, r.status, JSON.stringify(r.input), r.createdAt, r.updatedAt);
    }
  })();
}
