import pg from "pg";
import type { HistoryEvent, HistoryPage, NewHistoryEvent } from "../../engine/history.js";
import type {
  AcquireResult,
  Checkpoint,
  CompensationRecord,
  LeaseRequest,
  NewRun,
  RunPatch,
  RunRecord,
  TaskRecord,
} from "../../engine/records.js";
import type { RunSearch, RunSearchPage } from "../../engine/run-search.js";
import type { DueFilter, NewEvent, RunFilter, TakenEvent } from "../../engine/store.js";
import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
} from "../../schedules/schedule.js";
import { acquireTakingOverExited } from "../liveness.js";
import type {
  ClaimedRun,
  ClaimedStepTask,
  ClusterStore,
  Fence,
  Lease,
  StepProgress,
  StepTaskKey,
  StepTaskOffer,
} from "./cluster-store.js";
import { type Db, quoteSchema } from "./db.js";
import { migrate } from "./migrate.js";
import { RunWrites } from "./run-writes.js";
import { abortStepTask } from "./sql/abort-step-task.js";
import { acquireRun } from "./sql/acquire-run.js";
import { cancelStepTasks } from "./sql/cancel-step-tasks.js";
import { claimRun } from "./sql/claim-run.js";
import { claimStepTasks } from "./sql/claim-step-tasks.js";
import { clearStepTasks } from "./sql/clear-step-tasks.js";
import { endLease } from "./sql/end-lease.js";
import { listDue, sendEvent, takeEvent } from "./sql/events.js";
import { firstRecords } from "./sql/first-records.js";
import { getLease } from "./sql/get-lease.js";
import { getRun } from "./sql/get-run.js";
import { heartbeat } from "./sql/heartbeat.js";
import { heartbeatStepTasks } from "./sql/heartbeat-step-tasks.js";
import { appendHistory, listHistory } from "./sql/history.js";
import { insertRun } from "./sql/insert-run.js";
import { listCheckpoints } from "./sql/list-checkpoints.js";
import { listCompensations } from "./sql/list-compensations.js";
import { listRuns } from "./sql/list-runs.js";
import { listTasks } from "./sql/list-tasks.js";
import { listenForWork } from "./sql/listen-work.js";
import { publishStepTasks } from "./sql/publish-step-tasks.js";
import { putCheckpoint } from "./sql/put-checkpoint.js";
import { putTask } from "./sql/put-task.js";
import { releaseRun } from "./sql/release-run.js";
import { releaseStepTask } from "./sql/release-step-task.js";
import * as schedules from "./sql/schedules.js";
import { searchRuns } from "./sql/search-runs.js";
import { setQueueConcurrency } from "./sql/set-queue-concurrency.js";
import { stepProgress } from "./sql/step-progress.js";

/**
 * A `pg.Pool`, typed by what the store calls, so the published declarations need no `@types/pg`
 * (a `pg.Pool` is one).
 */
export interface PgPool {
  query(...args: never[]): Promise<unknown>;
  connect(): Promise<unknown>;
  end(): Promise<void>;
}

export interface PostgresStoreOptions {
  /** Connection string, e.g. `postgres://user@host:5432/db`. Give this or `pool`. */
  url?: string;
  /** A pool you manage (a `pg.Pool`); the store will not end it on `close()`. */
  pool?: PgPool;
  /** Where the tables live (created if missing); default `baton`. */
  schema?: string;
  /** Most connections the store's own pool opens; default 10. */
  maxConnections?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/**
 * Runs kept in PostgreSQL, shared by any number of processes on any number of machines. Every
 * operation is one statement (or one transaction) in its own file under `sql/`; this class only
 * routes calls to them.
 */
export class PostgresStore implements ClusterStore {
  readonly local = false;
  readonly schema: string;
  /** Writes of one run issued together share a commit, in order (see `CommitLanes`). */
  readonly ordersWrites = true;
  private readonly db: Db;
  private readonly writes: RunWrites;
  private readonly ownsPool: boolean;
  private closed = false;

  private constructor(pool: pg.Pool, schema: string, ownsPool: boolean) {
    this.db = { pool, schema: quoteSchema(schema) };
    this.writes = new RunWrites(this.db);
    this.schema = schema;
    this.ownsPool = ownsPool;
  }

  /** Connect, bring the schema up to date, and return the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? "baton";
    quoteSchema(schema);
    const pool = (options.pool as pg.Pool | undefined) ?? ownPool(options);
    const store = new PostgresStore(pool, schema, !options.pool);
    try {
      if (options.migrate !== false) await migrate(pool, schema);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The pool the store queries through, for tools that need the same database. @internal */
  get pool(): pg.Pool {
    return this.db.pool;
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    // The run, its lease and step 0 in one statement (see `firstRecords`).
    const together = run.first && firstRecords(this.db.schema, run.first);
    if (together || !run.first) return insertRun(this.db, run, together);
    const made = await insertRun(this.db, run);
    // Its first records follow, idempotent: a crash before them is seeded again on resume.
    if (made.created && run.first) {
      const { task, checkpoint, history } = run.first;
      if (task) await putTask(this.db, task, history);
      else if (history?.length) await appendHistory(this.db, history);
      if (checkpoint) await putCheckpoint(this.db, checkpoint);
      if (checkpoint) return { run: { ...made.run, step: checkpoint.step }, created: true };
    }
    return made;
  }
  getRun(runId: string): Promise<RunRecord | undefined> {
    return getRun(this.db, runId);
  }
  acquireRun(runId: string, owner: LeaseRequest, replace?: string): Promise<AcquireResult> {
    return acquireTakingOverExited((r) => acquireRun(this.db, runId, owner, r), replace);
  }
  appendHistory(events: readonly NewHistoryEvent[]): Promise<void> {
    return this.writes.appendHistory(events);
  }
  listHistory(runId: string, page?: HistoryPage): Promise<HistoryEvent[]> {
    return listHistory(this.db, runId, page);
  }
  listRuns(filter?: RunFilter): Promise<RunRecord[]> {
    return listRuns(this.db, filter);
  }
  searchRuns(search: RunSearch): Promise<RunSearchPage> {
    return searchRuns(this.db, search);
  }
  updateRun(runId: string, patch: RunPatch): Promise<void> {
    return this.writes.updateRun(runId, patch);
  }
  putTask(record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
    return this.writes.putTask(record, history);
  }
  listTasks(runId: string): Promise<TaskRecord[]> {
    return listTasks(this.db, runId);
  }
  putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    return this.writes.putCheckpoint(checkpoint);
  }
  listCheckpoints(runId: string): Promise<Checkpoint[]> {
    return listCheckpoints(this.db, runId);
  }
  putCompensation(record: CompensationRecord): Promise<void> {
    return this.writes.putCompensation(record);
  }
  listCompensations(runId: string): Promise<CompensationRecord[]> {
    return listCompensations(this.db, runId);
  }
  listDue(now: number, filter?: DueFilter): Promise<RunRecord[]> {
    return listDue(this.db, now, filter);
  }
  sendEvent(event: NewEvent): Promise<number> {
    return sendEvent(this.db, event);
  }
  takeEvent(
    runId: string,
    name: string,
    consumer: string,
    timedOut: boolean,
  ): Promise<TakenEvent | undefined> {
    return takeEvent(this.db, runId, name, consumer, timedOut);
  }

  createSchedule(schedule: NewSchedule) {
    return schedules.createSchedule(this.db, schedule);
  }
  getSchedule(name: string) {
    return schedules.getSchedule(this.db, name);
  }
  listSchedules(filter?: ScheduleFilter) {
    return schedules.listSchedules(this.db, filter);
  }
  updateSchedule(name: string, patch: SchedulePatch) {
    return schedules.updateSchedule(this.db, name, patch);
  }
  deleteSchedule(name: string) {
    return schedules.deleteSchedule(this.db, name);
  }
  setScheduleTicked(name: string, expected: number, advance: ScheduleAdvance) {
    return schedules.setScheduleTicked(this.db, name, expected, advance);
  }

  submitRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    return insertRun(this.db, { ...run, status: "pending" });
  }
  claimRun(workerId: string, leaseMs: number, queues?: readonly string[]): Promise<ClaimedRun | undefined> {
    return claimRun(this.db, workerId, leaseMs, queues);
  }
  heartbeat(workerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]> {
    return heartbeat(this.db, workerId, runIds, leaseMs);
  }
  releaseRun(workerId: string, runId: string): Promise<boolean> {
    return releaseRun(this.db, workerId, runId);
  }
  setQueueConcurrency(queue: string, concurrency: number | null): Promise<void> {
    return setQueueConcurrency(this.db, queue, concurrency);
  }
  endLease(workerId: string, runId: string, attempts: number): Promise<boolean> {
    return endLease(this.db, workerId, runId, attempts);
  }
  getLease(runId: string): Promise<Lease | undefined> {
    return getLease(this.db, runId);
  }

  putTaskFenced(fence: Fence, record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<boolean> {
    return this.writes.putTaskFenced(fence, record, history);
  }
  putCheckpointFenced(fence: Fence, checkpoint: Checkpoint): Promise<boolean> {
    return this.writes.putCheckpointFenced(fence, checkpoint);
  }
  updateRunFenced(fence: Fence, runId: string, patch: RunPatch): Promise<boolean> {
    return this.writes.updateRunFenced(fence, runId, patch);
  }
  putCompensationFenced(fence: Fence, record: CompensationRecord): Promise<boolean> {
    return this.writes.putCompensationFenced(fence, record);
  }

  publishStepTasks(fence: Fence, step: number, tasks: readonly StepTaskOffer[]): Promise<boolean> {
    return publishStepTasks(this.db, fence, step, tasks);
  }
  stepProgress(runId: string, step: number): Promise<StepProgress> {
    return stepProgress(this.db, runId, step);
  }
  claimStepTasks(
    workerId: string,
    leaseMs: number,
    limit: number,
    queues?: readonly string[],
  ): Promise<ClaimedStepTask[]> {
    return claimStepTasks(this.db, workerId, leaseMs, limit, queues);
  }
  heartbeatStepTasks(
    workerId: string,
    keys: readonly StepTaskKey[],
    leaseMs: number,
  ): Promise<StepTaskKey[]> {
    return heartbeatStepTasks(this.db, workerId, keys, leaseMs);
  }
  releaseStepTask(fence: Fence, notBefore?: number): Promise<boolean> {
    return releaseStepTask(this.db, fence, notBefore);
  }
  abortStepTask(fence: Fence, reason: string): Promise<boolean> {
    return abortStepTask(this.db, fence, reason);
  }
  cancelStepTasks(fence: Fence, step: number): Promise<boolean> {
    return cancelStepTasks(this.db, fence, step);
  }
  clearStepTasks(runId: string): Promise<void> {
    return clearStepTasks(this.db, runId);
  }
  listenForWork(onWork: () => void): Promise<{ close(): Promise<void> }> {
    return listenForWork(this.db, onWork);
  }

  /** Ends the store's own pool (idempotent); a pool passed in is left to its owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.db.pool.end();
  }
}

/** Open a PostgreSQL store at `url`, migrating its schema (default `baton`) on the way. */
export function openPostgresStore(
  url: string,
  options: Omit<PostgresStoreOptions, "url" | "pool"> = {},
): Promise<PostgresStore> {
  return PostgresStore.open({ ...options, url });
}

function ownPool(options: PostgresStoreOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: "baton",
    // A group commit's BEGIN, statements and COMMIT go out at once: one round trip (`CommitLanes`).
    pipeline: true,
  });
  // An idle client can lose its connection (server restart); the pool drops it and opens another on
  // demand. Without a listener that 'error' event would crash the process.
  pool.on("error", () => undefined);
  return pool;
}
