import type { Database, Statement } from "better-sqlite3";
import {
  type AcquireResult,
  type LeaseRequest,
  type NewRun,
  type RunOwner,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  stopsRun,
} from "../../../engine/records.js";
import type { RunFilter } from "../../../engine/store.js";
import { thisHost } from "../../liveness.js";
import { fromJson, toJson } from "../json.js";
import type { RunKeys } from "./run-keys.js";

export interface RunRow {
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
  waits: string | null;
  wake_at: number | null;
  cancel_requested: string | null;
  parent_id: string | null;
  parent_step: number | null;
  parent_task: string | null;
  parent_kind: "subgraph" | "child" | null;
  thread: string | null;
  owner_id: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_since: number | null;
  lease_expires_at: number | null;
  created_by: string | null;
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
  waits = CASE WHEN @waits IS NOT NULL THEN @waits WHEN @clearWaits THEN NULL ELSE waits END,
  wake_at = CASE WHEN @wakeAt IS NOT NULL THEN @wakeAt WHEN @clearWakeAt THEN NULL ELSE wake_at END,
  cancel_requested = CASE WHEN @cancel IS NOT NULL THEN @cancel WHEN @clearCancel THEN NULL ELSE cancel_requested END,
  owner_id = CASE WHEN @stops THEN NULL ELSE owner_id END,
  lease_expires_at = CASE WHEN @stops THEN NULL ELSE lease_expires_at END,
  updated_at = @now
WHERE id = @id`;

/** Take the lease when it is free, expired, already ours, or held by the owner the caller found gone. */
const ACQUIRE = `UPDATE runs SET
  owner_id = @owner,
  owner_host = @host,
  owner_pid = @pid,
  owner_since = CASE WHEN owner_id IS @owner THEN owner_since ELSE @now END,
  lease_expires_at = @now + @leaseMs,
  claims = claims + 1
WHERE id = @id
  AND (owner_id IS NULL OR lease_expires_at <= @now OR owner_id = @owner OR owner_id IS @replace)`;

const OWNER_COLUMNS = "owner_id, owner_host, owner_pid, owner_since, lease_expires_at";

/** Runs: create (idempotent on the id), read, patch, list newest first. */
export function runStatements(db: Database, keys: RunKeys) {
  const insert = db.prepare(
    `INSERT INTO runs (id, graph, graph_hash, status, queue, step, input, parent_id, parent_step,
       parent_task, parent_kind, owner_id, owner_host, owner_pid, owner_since, lease_expires_at, claims, created_by,
       wake_at, thread, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING *`,
  );
  const select = db.prepare("SELECT * FROM runs WHERE id = ?");
  const update = db.prepare(UPDATE);
  const acquire = db.prepare(ACQUIRE);
  const owner = db.prepare(`SELECT ${OWNER_COLUMNS} FROM runs WHERE id = ?`);
  const renew = db.prepare(
    "UPDATE runs SET lease_expires_at = @now + @leaseMs WHERE id = @id AND owner_id = @owner AND lease_expires_at > @now",
  );
  const release = db.prepare(
    "UPDATE runs SET owner_id = NULL, lease_expires_at = NULL WHERE id = ? AND owner_id = ?",
  );
  const lists = new Map<string, Statement>();

  return {
    create(run: NewRun): { run: RunRecord; created: boolean } {
      const now = Date.now();
      const lease = run.owner;
      const inserted = insert.get(
        run.id,
        run.graph,
        run.graphHash,
        run.status,
        run.queue ?? "default",
        toJson(run.input),
        run.parent?.runId ?? null,
        run.parent?.step ?? null,
        run.parent?.taskId ?? null,
        run.parent?.kind ?? null,
        lease?.id ?? null,
        lease ? thisHost() : null,
        lease ? process.pid : null,
        lease ? now : null,
        lease ? now + lease.leaseMs : null,
        lease ? 1 : 0,
        toJson(run.createdBy),
        run.wakeAt ?? null,
        run.thread ?? null,
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
    /** One statement, so racing processes serialise on SQLite's write lock: one of them wins. */
    acquire(runId: string, request: LeaseRequest, replace?: string): AcquireResult {
      const before = owner.get(runId) as RunRow | undefined;
      if (!before) return { acquired: false, missing: true };
      const now = Date.now();
      const params = {
        id: runId,
        owner: request.id,
        host: thisHost(),
        pid: process.pid,
        now,
        leaseMs: request.leaseMs,
        replace: replace ?? null,
      };
      const previous = ownerOf(before);
      if (acquire.run(params).changes === 1) {
        const mine = previous?.id === request.id;
        const owner: RunOwner = {
          id: request.id,
          host: params.host,
          pid: params.pid,
          since: mine ? previous.since : now,
          expiresAt: now + request.leaseMs,
        };
        return previous && !mine ? { acquired: true, owner, previous } : { acquired: true, owner };
      }
      const holder = ownerOf(owner.get(runId) as RunRow);
      return holder ? { acquired: false, holder } : { acquired: false };
    },
    renew(ownerId: string, runIds: readonly string[], leaseMs: number): string[] {
      const now = Date.now();
      return runIds.filter((id) => renew.run({ id, owner: ownerId, now, leaseMs }).changes === 1);
    },
    release(ownerId: string, runId: string): boolean {
      return release.run(runId, ownerId).changes === 1;
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
        waits: toJson(patch.waits),
        wakeAt: patch.wakeAt ?? null,
        clearWaits: clear.has("waits") ? 1 : 0,
        clearWakeAt: clear.has("wakeAt") ? 1 : 0,
        cancel: toJson(patch.cancelRequested),
        clearError: clear.has("error") ? 1 : 0,
        clearInterrupts: clear.has("interrupts") ? 1 : 0,
        clearCancel: clear.has("cancelRequested") ? 1 : 0,
        stops: patch.status !== undefined && stopsRun(patch.status) ? 1 : 0,
        now: Date.now(),
      };
      return () => {
        update.run(params);
      };
    },
    list(filter: RunFilter = {}): RunRecord[] {
      const statuses = filter.status === undefined ? [] : ([] as RunStatus[]).concat(filter.status);
      if (filter.status !== undefined && statuses.length === 0) return [];
      const byGraph = filter.graph !== undefined;
      const byParent = filter.parent !== undefined;
      const byThread = filter.thread !== undefined;
      const key = `${statuses.length}:${byGraph ? 1 : 0}:${byParent ? 1 : 0}:${byThread ? 1 : 0}`;
      let statement = lists.get(key);
      if (!statement) {
        statement = db.prepare(listSql(statuses.length, byGraph, byParent, byThread));
        lists.set(key, statement);
      }
      const params = [
        ...statuses,
        ...(byGraph ? [filter.graph] : []),
        ...(byParent ? [filter.parent] : []),
        ...(byThread ? [filter.thread] : []),
        filter.limit ?? 100,
      ];
      return (statement.all(...params) as RunRow[]).map(toRun);
    },
  };
}

/** Newest first, as every store lists (ties: the later insert); the indexes hold this order. */
function listSql(statuses: number, byGraph: boolean, byParent: boolean, byThread: boolean): string {
  const where: string[] = [];
  if (statuses > 0) where.push(`status IN (${new Array(statuses).fill("?").join(", ")})`);
  if (byGraph) where.push("graph = ?");
  if (byParent) where.push("parent_id = ?");
  if (byThread) where.push("thread = ?");
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  return `SELECT * FROM runs ${clause} ORDER BY created_at DESC, key DESC LIMIT ?`;
}

export function toRun(row: RunRow): RunRecord {
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
  if (row.waits !== null) run.waits = JSON.parse(row.waits);
  if (row.wake_at !== null) run.wakeAt = row.wake_at;
  if (row.cancel_requested !== null) run.cancelRequested = JSON.parse(row.cancel_requested);
  if (row.parent_id !== null)
    run.parent = {
      runId: row.parent_id,
      step: row.parent_step ?? 0,
      ...(row.parent_task !== null ? { taskId: row.parent_task } : {}),
      ...(row.parent_kind !== null ? { kind: row.parent_kind } : {}),
    };
  if (row.thread !== null) run.thread = row.thread;
  const owner = ownerOf(row);
  if (owner) run.owner = owner;
  if (row.created_by !== null) run.createdBy = JSON.parse(row.created_by);
  return run as unknown as RunRecord;
}

function ownerOf(
  row: Pick<RunRow, "owner_id" | "owner_host" | "owner_pid" | "owner_since" | "lease_expires_at">,
) {
  if (row.owner_id === null) return undefined;
  const owner: RunOwner = {
    id: row.owner_id,
    host: row.owner_host ?? "",
    pid: row.owner_pid ?? 0,
    since: row.owner_since ?? 0,
    expiresAt: row.lease_expires_at ?? 0,
  };
  return owner;
}
