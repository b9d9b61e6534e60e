import type { Database } from "better-sqlite3";
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
import type { DueFilter, NewEvent, RunFilter, Store, TakenEvent } from "../../engine/store.js";
import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
} from "../../schedules/schedule.js";
import { acquireTakingOverExited } from "../liveness.js";
import { type ConnectionOptions, connect } from "./connection.js";
import { migrate } from "./migrate.js";
import { checkpointStatements } from "./sql/checkpoints.js";
import { compensationStatements } from "./sql/compensations.js";
import { eventStatements } from "./sql/events.js";
import { historyStatements } from "./sql/history.js";
import { runKeys } from "./sql/run-keys.js";
import { runStatements } from "./sql/runs.js";
import { scheduleStatements } from "./sql/schedules.js";
import { searchRunsStatement } from "./sql/search-runs.js";
import { taskStatements } from "./sql/tasks.js";
import { WriteBatch } from "./write-batch.js";

export type SqliteStoreOptions = ConnectionOptions;

/**
 * Runs kept in one SQLite file (WAL). Several processes may share the file: writes wait for each
 * other's locks (busy_timeout), so `baton cancel` from another terminal reaches a running run.
 * Statements are prepared once per store. Every write is atomic and committed before its promise
 * settles; writes issued in the same tick share one commit (`WriteBatch`): the tasks of a parallel
 * step that finish together, or a run's last checkpoint and its final status.
 */
export class SqliteStore implements Store {
  readonly local = false;
  /** Writes queue in call order and commit together (`WriteBatch`). */
  readonly ordersWrites = true;
  readonly path: string;
  /** @internal The better-sqlite3 connection (tests, tools): not in the published types. */
  readonly db: Database;
  private readonly runs;
  private readonly tasks;
  private readonly checkpoints;
  private readonly compensations;
  private readonly history;
  private readonly schedules;
  private readonly search;
  private readonly events;
  private readonly batch: WriteBatch;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.db = connect(path, options);
    try {
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const keys = runKeys(this.db);
    this.runs = runStatements(this.db, keys);
    this.tasks = taskStatements(this.db, keys);
    this.checkpoints = checkpointStatements(this.db, keys);
    this.compensations = compensationStatements(this.db, keys);
    this.history = historyStatements(this.db, keys);
    this.schedules = scheduleStatements(this.db);
    this.events = eventStatements(this.db, keys, (id) => this.runs.get(id));
    this.search = searchRunsStatement(this.db);
    this.batch = new WriteBatch(this.db);
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    this.batch.flush();
    const { first } = run;
    if (!first) return this.runs.create(run);
    // The run and its first records in one transaction: one commit where there were two.
    return this.db
      .transaction(() => {
        const made = this.runs.create(run);
        if (!made.created) return made;
        if (first.task) this.tasks.prepare(first.task)();
        if (first.checkpoint) this.checkpoints.prepare(first.checkpoint)();
        if (first.history?.length) this.history.prepare(first.history)();
        return made;
      })
      .immediate();
  }

  async acquireRun(runId: string, owner: LeaseRequest, replace?: string): Promise<AcquireResult> {
    this.batch.flush();
    return acquireTakingOverExited((r) => this.runs.acquire(runId, owner, r), replace);
  }

  async heartbeat(ownerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]> {
    this.batch.flush();
    return this.runs.renew(ownerId, runIds, leaseMs);
  }

  async releaseRun(ownerId: string, runId: string): Promise<boolean> {
    this.batch.flush();
    return this.runs.release(ownerId, runId);
  }

  appendHistory(events: readonly NewHistoryEvent[]): Promise<void> {
    return this.write(() => this.history.prepare(events));
  }

  async listHistory(runId: string, page?: HistoryPage): Promise<HistoryEvent[]> {
    this.batch.flush();
    return this.history.list(runId, page);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.batch.flush();
    return this.runs.get(runId);
  }

  async listRuns(filter?: RunFilter): Promise<RunRecord[]> {
    this.batch.flush();
    return this.runs.list(filter);
  }

  async searchRuns(search: RunSearch): Promise<RunSearchPage> {
    this.batch.flush();
    return this.search(search);
  }

  updateRun(runId: string, patch: RunPatch): Promise<void> {
    return this.write(() => this.runs.prepareUpdate(runId, patch));
  }

  putTask(record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
    if (!history?.length) return this.write(() => this.tasks.prepare(record));
    return this.write(() => {
      const task = this.tasks.prepare(record);
      const logged = this.history.prepare(history);
      return () => {
        task();
        logged();
      };
    });
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    this.batch.flush();
    return this.tasks.list(runId);
  }

  putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    return this.write(() => this.checkpoints.prepare(checkpoint));
  }

  async listCheckpoints(runId: string): Promise<Checkpoint[]> {
    this.batch.flush();
    return this.checkpoints.list(runId);
  }

  async listDue(now: number, filter?: DueFilter): Promise<RunRecord[]> {
    this.batch.flush();
    return this.events.due(now, filter);
  }

  async sendEvent(event: NewEvent): Promise<number> {
    this.batch.flush();
    return this.events.send(event);
  }

  async takeEvent(
    runId: string,
    name: string,
    consumer: string,
    timedOut: boolean,
  ): Promise<TakenEvent | undefined> {
    this.batch.flush();
    return this.events.take(runId, name, consumer, timedOut);
  }

  putCompensation(record: CompensationRecord): Promise<void> {
    return this.write(() => this.compensations.prepare(record));
  }

  async listCompensations(runId: string): Promise<CompensationRecord[]> {
    this.batch.flush();
    return this.compensations.list(runId);
  }

  createSchedule = this.flushed((s: NewSchedule) => this.schedules.create(s));
  getSchedule = this.flushed((name: string) => this.schedules.get(name));
  listSchedules = this.flushed((filter?: ScheduleFilter) => this.schedules.list(filter));
  updateSchedule = this.flushed((name: string, patch: SchedulePatch) => this.schedules.update(name, patch));
  deleteSchedule = this.flushed((name: string) => this.schedules.delete(name));
  setScheduleTicked = this.flushed((name: string, expected: number, advance: ScheduleAdvance) =>
    this.schedules.setTicked(name, expected, advance),
  );

  /** A statement run after the queued writes commit (it reads or writes past them). */
  private flushed<A extends unknown[], R>(statement: (...args: A) => R): (...args: A) => Promise<R> {
    return async (...args) => {
      this.batch.flush();
      return statement(...args);
    };
  }

  /**
   * Queue a write, serialised now, to commit with the others of the same tick (see `WriteBatch`);
   * a record that cannot be serialised (an unknown run) rejects at once.
   */
  private write(prepare: () => () => void): Promise<void> {
    try {
      return this.batch.push(prepare());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Checkpoints the WAL into the main file and closes; closing twice is harmless. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.batch.flush();
    this.db.close();
  }
}
