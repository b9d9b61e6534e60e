import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
  ScheduleRecord,
} from "../schedules/schedule.js";
import type { Actor, HistoryEvent, HistoryPage, NewHistoryEvent } from "./history.js";
import type {
  AcquireResult,
  Checkpoint,
  CompensationRecord,
  LeaseRequest,
  NewRun,
  RunPatch,
  RunRecord,
  RunStatus,
  TaskRecord,
} from "./records.js";
import type { RunSearch, RunSearchPage } from "./run-search.js";

/** A named event sent to a run (`signal`). */
export interface NewEvent {
  readonly runId: string;
  readonly name: string;
  readonly payload: unknown;
  readonly by?: Actor;
}

/** What a wait received: an event (kept since it was sent), or its timeout. */
export type TakenEvent =
  | {
      readonly kind: "event";
      readonly seq: number;
      readonly payload: unknown;
      readonly sentAt: number;
      /** Taken by this call (not found taken before). */
      readonly fresh?: true;
    }
  | { readonly kind: "timeout"; readonly at: number; readonly fresh?: true };

export interface DueFilter {
  limit?: number;
  /** Only this run. */
  runId?: string;
}

export interface RunFilter {
  status?: RunStatus | readonly RunStatus[];
  graph?: string;
  /** Runs forked from this run. */
  parent?: string;
  /** Runs of this thread. */
  thread?: string;
  limit?: number;
}

/**
 * Where runs are kept. The engine talks only to this interface; SQLite, PostgreSQL and memory
 * implement it and pass one contract suite. Every method is atomic on its own.
 */
export interface Store {
  /** Memory stores live in one process: nobody else can cancel their runs. */
  readonly local?: boolean;
  /**
   * A cluster worker's store: runs are picked up by whichever worker is free, so a child run that
   * sleeps is let go at once (any worker wakes it) instead of being waited for in this process.
   */
  readonly workers?: boolean;
  /**
   * Writes issued without waiting for each other are applied in the order they were issued (and
   * may share one commit). Without it the engine waits for each write before the next.
   */
  readonly ordersWrites?: boolean;
  /**
   * Creates the run, or returns the existing one with that id (`created: false`). With `owner`, the
   * new run's lease is taken in the same write.
   */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Take the run's lease for `owner.id` (this process), atomically: when nobody holds it, when the
   * holder's lease expired, when the holder is `owner.id` itself, or when the holder is `replace`
   * (an owner the caller found gone). Of several racing callers exactly one succeeds. Each
   * acquisition counts as a claim (the fencing token the cluster's writes carry).
   */
  acquireRun(runId: string, owner: LeaseRequest, replace?: string): Promise<AcquireResult>;
  /** Renew `ownerId`'s live leases on these runs to `leaseMs` from now; returns the ids renewed. */
  heartbeat(ownerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]>;
  /**
   * End `ownerId`'s lease at once; an unfinished run can be taken over (or claimed) right away.
   * A status that stops a run (finished, interrupted) ends its lease in the same write anyway.
   */
  releaseRun(ownerId: string, runId: string): Promise<boolean>;
  /** Add entries to runs' history (in order); shares a commit with writes issued in the same tick. */
  appendHistory(events: readonly NewHistoryEvent[]): Promise<void>;
  /** A run's history in the order it was recorded. */
  listHistory(runId: string, page?: HistoryPage): Promise<HistoryEvent[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /**
   * A page of the runs an operator searched for, with totals (the dashboard's list). Optional: a
   * store without it is searched in memory over `listRuns` (fine for small stores and wrappers).
   */
  searchRuns?(search: RunSearch): Promise<RunSearchPage>;
  updateRun(runId: string, patch: RunPatch): Promise<void>;
  /**
   * Insert or replace the record of `(runId, step, taskId)`, appending `history` (the attempt that
   * left it) in the same commit.
   */
  putTask(record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void>;
  /** Every task record of the run, ordered by step then taskId. */
  listTasks(runId: string): Promise<TaskRecord[]>;
  /** Writes the checkpoint and moves the run's `step` to it, atomically. */
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
  listCheckpoints(runId: string): Promise<Checkpoint[]>;
  /**
   * Runs due to be driven now that nobody holds: `sleeping`, `waiting` or `pending` runs whose
   * `wakeAt` has passed, and `waiting` runs with an event they wait for. Oldest due first.
   */
  listDue(now: number, filter?: DueFilter): Promise<RunRecord[]>;
  /**
   * Keep an event for a run until a wait takes it (each event goes to one wait, once). Refused
   * (`RUN_NOT_FOUND`, `RUN_STATE`) for an unknown or finished run. Returns the event's number.
   */
  sendEvent(event: NewEvent): Promise<number>;
  /**
   * The event the wait `consumer` (a stable name of one call site) received: the one it took
   * before, else the oldest event of that name nobody took (taken now, atomically), else, when
   * `timedOut`, its timeout (kept, so the wait never receives a later event). Undefined: nothing yet.
   */
  takeEvent(
    runId: string,
    name: string,
    consumer: string,
    timedOut: boolean,
  ): Promise<TakenEvent | undefined>;
  putCompensation(record: CompensationRecord): Promise<void>;
  listCompensations(runId: string): Promise<CompensationRecord[]>;
  /** Store a new schedule, or return the one that has its name (`created: false`), unchanged. */
  createSchedule(schedule: NewSchedule): Promise<{ schedule: ScheduleRecord; created: boolean }>;
  getSchedule(name: string): Promise<ScheduleRecord | undefined>;
  /** Schedules by name; `dueBy`: only those not paused whose next tick has come. */
  listSchedules(filter?: ScheduleFilter): Promise<ScheduleRecord[]>;
  /** Change a schedule; undefined when there is none of that name. */
  updateSchedule(name: string, patch: SchedulePatch): Promise<ScheduleRecord | undefined>;
  /** Remove a schedule (its runs stay); false when there was none. */
  deleteSchedule(name: string): Promise<boolean>;
  /**
   * Compare-and-set: record a tick pass only if the schedule's next tick is still `expectedNextAt`.
   * Of several processes handling the same ticks exactly one moves it; the others get false.
   */
  setScheduleTicked(name: string, expectedNextAt: number, advance: ScheduleAdvance): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Store several writes in order: issued at once to a store that keeps call order (SQLite then
 * commits them together), one after another to any other, so a crash never leaves a later write
 * without an earlier one.
 */
export async function writeInOrder(
  store: Store,
  ...writes: ReadonlyArray<(store: Store) => Promise<void>>
): Promise<void> {
  if (store.ordersWrites) {
    await Promise.all(writes.map((write) => write(store)));
    return;
  }
  for (const write of writes) await write(store);
}
