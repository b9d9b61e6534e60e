import type { Database, Statement } from "better-sqlite3";
import type { NewRun, RunPatch, RunRecord, RunStatus } from "../../../engine/records.js";
import type { RunFilter } from "../../../engine/store.js";
import { fromJson, toJson } from "../json.js";
import type { RunKeys } from "./run-keys.js";

interface RunRow {
  key: number;
  id: string;
  graph: string;
  graph_hash: string;
  status: RunStatus;
  queue: string;
  step: number;
  input: string | null;
  error: string | null;
  interrupts: string | null;
  cancel_requested: string | null;
  parent_id: string | null;
  parent_step: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * One statement for every patch: a JSON column is set when the patch gives it, cleared when the
 * patch lists it in `clear` (and does not give it), else kept. A fixed shape keeps it cached.
 */
const UPDATE = `UPDATE runs SET
  status = coalesce(@status, status),
  step = coalesce(@step, step),
  graph_hash = coalesce(@graphHash, graph_hash),
  error = CASE WHEN @error IS NOT NULL THEN @error WHEN @clearError THEN NULL ELSE error END,
  interrupts = CASE WHEN @interrupts IS NOT NULL THEN @interrupts WHEN @clearInterrupts THEN NULL ELSE interrupts END,
  cancel_requested = CASE WHEN @cancel IS NOT NULL THEN @cancel WHEN @clearCancel THEN NULL ELSE cancel_requested END,
  updated_at = @now
WHERE id = @id`;

/** Runs: create (idempotent on the id), read, patch, list newest first. */
export function runStatements(db: Database, keys: RunKeys) {
  const insert = db.prepare(
    `INSERT INTO runs (id, graph, graph_hash, status, queue, step, input, parent_id, parent_step, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING *`,
  );
  const select = db.prepare("SELECT * FROM runs WHERE id = ?");
  const update = db.prepare(UPDATE);
  const lists = new Map<string, Statement>();

  return {
    create(run: NewRun): { run: RunRecord; created: boolean } {
      const now = Date.now();
      const inserted = insert.get(
        run.id,
        run.graph,
        run.graphHash,
        run.status,
        run.queue ?? "default",
        toJson(run.input),
        run.parent?.runId ?? null,
        run.parent?.step ?? null,
        now,
        now,
      );
      // RETURNING gives the new row; nothing means the id exists: that run is the answer.
      const row = (inserted ?? select.get(run.id)) as RunRow;
      keys.remember(row.id, row.key);
      return { run: toRun(row), created: inserted !== undefined };
    },
    get(runId: string): RunRecord | undefined {
      const row = select.get(runId) as RunRow | undefined;
      return row && toRun(row);
    },
    /** Serialise now; the returned write applies the patch. */
    prepareUpdate(runId: string, patch: RunPatch): () => void {
      const clear = new Set(patch.clear ?? []);
      const params = {
        id: runId,
        status: patch.status ?? null,
        step: patch.step ?? null,
        graphHash: patch.graphHash ?? null,
        error: toJson(patch.error),
        interrupts: toJson(patch.interrupts),
        cancel: toJson(patch.cancelRequested),
        clearError: clear.has("error") ? 1 : 0,
        clearInterrupts: clear.has("interrupts") ? 1 : 0,
        clearCancel: clear.has("cancelRequested") ? 1 : 0,
        now: Date.now(),
      };
      return () => {
        update.run(params);
      };
    },
    list(filter: RunFilter = {}): RunRecord[] {
      const statuses = filter.status === undefined ? [] : ([] as RunStatus[]).concat(filter.status);
      if (filter.status !== undefined && statuses.length === 0) return [];
      const key = `${statuses.length}:${filter.graph === undefined ? 0 : 1}`;
      let statement = lists.get(key);
      if (!statement) {
        statement = db.prepare(listSql(statuses.length, filter.graph !== undefined));
        lists.set(key, statement);
      }
      const params = [
        ...statuses,
        ...(filter.graph === undefined ? [] : [filter.graph]),
        filter.limit ?? 100,
      ];
      return (statement.all(...params) as RunRow[]).map(toRun);
    },
  };
}

/** Newest first: the key is insertion order (and each index holds it, so no sort for one filter). */
function listSql(statuses: number, byGraph: boolean): string {
  const where: string[] = [];
  if (statuses > 0) where.push(`status IN (${new Array(statuses).fill("?").join(", ")})`);
  if (byGraph) where.push("graph = ?");
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  return `SELECT * FROM runs ${clause} ORDER BY key DESC LIMIT ?`;
}

function toRun(row: RunRow): RunRecord {
  const run: Record<string, unknown> = {
    id: row.id,
    graph: row.graph,
    graphHash: row.graph_hash,
    status: row.status,
    input: fromJson(row.input),
    step: row.step,
    queue: row.queue,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.error !== null) run.error = JSON.parse(row.error);
  if (row.interrupts !== null) run.interrupts = JSON.parse(row.interrupts);
  if (row.cancel_requested !== null) run.cancelRequested = JSON.parse(row.cancel_requested);
  if (row.parent_id !== null) run.parent = { runId: row.parent_id, step: row.parent_step ?? 0 };
  return run as unknown as RunRecord;
}
