import type {
  Checkpoint,
  CompensationRecord,
  NewRun,
  RunPatch,
  RunRecord,
  RunStatus,
  TaskRecord,
} from "./records.js";

export interface RunFilter {
  status?: RunStatus | readonly RunStatus[];
  graph?: string;
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
   * Writes issued without waiting for each other are applied in the order they were issued (and
   * may share one commit). Without it the engine waits for each write before the next.
   */
  readonly ordersWrites?: boolean;
  /** Creates the run, or returns the existing one with that id (`created: false`). */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  updateRun(runId: string, patch: RunPatch): Promise<void>;
  /** Insert or replace the record of `(runId, step, taskId)`. */
  putTask(record: TaskRecord): Promise<void>;
  /** Every task record of the run, ordered by step then taskId. */
  listTasks(runId: string): Promise<TaskRecord[]>;
  /** Writes the checkpoint and moves the run's `step` to it, atomically. */
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
  listCheckpoints(runId: string): Promise<Checkpoint[]>;
  putCompensation(record: CompensationRecord): Promise<void>;
  listCompensations(runId: string): Promise<CompensationRecord[]>;
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
