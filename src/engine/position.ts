import { BatonError } from "../errors.js";
import { initialState } from "../graph/state.js";
import { validateInput } from "./input.js";
import type { Engine, Position } from "./loop.js";
import type { Checkpoint, RunRecord, TaskRecord, TaskSpec } from "./records.js";
import { isFinished, lastCheckpoint, stateAt, tasksByStep } from "./replay.js";
import { firstTasks } from "./routing.js";
import { type Store, writeInOrder } from "./store.js";
import { applyWrites, type Write } from "./writes.js";

export interface SeedOptions {
  /** `__input__` for a new run, `__fork__` for a fork. */
  taskId: string;
  /** `set`: the writes replace values instead of reducing (a fork's copied state). */
  mode?: "set";
  /** What runs first; default: what START triggers. */
  next?: readonly TaskSpec[];
  joins?: Readonly<Record<string, readonly string[]>>;
}

/** Step 0 of a run: where it starts, and the records that say so (not stored yet). */
export interface Seed {
  readonly position: Position;
  /** The seed writes as step 0's task record. */
  readonly record: TaskRecord;
  /** Checkpoint 0, naming what runs first. */
  readonly checkpoint: Checkpoint;
}

/**
 * Compute step 0 of a run: its seed writes applied, and what START triggers (routers on START run
 * here, so their errors surface before anything is stored).
 */
export function seedOf(engine: Engine, runId: string, writes: readonly Write[], options: SeedOptions): Seed {
  const { taskId, mode } = options;
  const state = initialState(engine.definition) as Record<string, unknown>;
  applyWrites(
    engine.definition.channels,
    state,
    [{ taskId, node: taskId, writes, ...(mode ? { mode } : {}) }],
    0,
  );
  const next = options.next ?? firstTasks(engine.table, state);
  const joins = options.joins ?? {};
  const now = engine.now();
  const record: TaskRecord = {
    runId,
    step: 0,
    taskId,
    node: taskId,
    status: "succeeded",
    attempts: 1,
    writes,
    ...(mode ? { mode } : {}),
    seq: 0,
    startedAt: now,
    finishedAt: now,
  };
  const checkpoint: Checkpoint = { runId, step: 0, next, joins, createdAt: now };
  return {
    position: { step: 0, state, next, joins, pending: undefined, undoable: [], seq: 0 },
    record,
    checkpoint,
  };
}

/**
 * Step 0 of an existing run: its seed stored as a task record, then checkpoint 0. Both are
 * idempotent, so seeding again after a crash between them is safe.
 */
export async function seedRun(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  writes: readonly Write[],
  options: SeedOptions,
): Promise<Position> {
  const seed = seedOf(engine, runId, writes, options);
  if (store)
    await writeInOrder(
      store,
      (s) => s.putTask(seed.record),
      (s) => s.putCheckpoint(seed.checkpoint),
    );
  return seed.position;
}

/** Rebuild where a stored run stands: its state, the next step's tasks and what they already did. */
export async function loadPosition(engine: Engine, store: Store, run: RunRecord): Promise<Position> {
  const [checkpoints, records] = await Promise.all([store.listCheckpoints(run.id), store.listTasks(run.id)]);
  const last = lastCheckpoint(checkpoints);
  if (!last) return reseed(engine, store, run);
  const byStep = tasksByStep(records);
  const compensating = run.status === "compensating";
  const undoable: TaskRecord[] = [];
  let seq = 0;
  for (const r of records) {
    seq = Math.max(seq, r.seq);
    if (
      (r.step <= last.step || compensating) &&
      r.status === "succeeded" &&
      engine.spec.nodes.get(r.node)?.options.compensate
    ) {
      undoable.push(r);
    }
  }
  undoable.sort((a, b) => a.seq - b.seq);
  const pendingRecords = byStep.get(last.step + 1);
  const position: Position = {
    step: last.step,
    state: stateAt(engine.definition, byStep, last.step),
    next: last.next,
    joins: last.joins,
    pending: pendingRecords ? new Map(pendingRecords.map((r) => [r.taskId, r])) : undefined,
    undoable,
    seq,
  };
  if (compensating) position.compensating = run.error ?? { name: "Error", message: "run failed" };
  return position;
}

/**
 * The process died after creating the run but before checkpoint 0: seed it again from its stored
 * input. A fork's seed (the copied state and edit) is not kept on the run, so that case is an error.
 */
function reseed(engine: Engine, store: Store, run: RunRecord): Promise<Position> {
  if (run.parent) {
    throw new BatonError(
      "RUN_STATE",
      `Run ${run.id} (a fork of ${run.parent.runId}) stopped before its first checkpoint; fork again`,
      { runId: run.id },
    );
  }
  return seedRun(engine, store, run.id, validateInput(engine.definition, run.input), { taskId: "__input__" });
}

/** Hand each answered task its resume value (see `answersFor`); returns the records stored. */
export function deliverResume(
  store: Store,
  position: Position,
  answers: ReadonlyMap<string, unknown>,
): Array<Promise<void>> {
  const writes: Array<Promise<void>> = [];
  for (const [id, record] of position.pending ?? []) {
    if (record.status !== "interrupted" || !answers.has(id)) continue;
    const resumed: TaskRecord = { ...record, resumes: [...(record.resumes ?? []), answers.get(id)] };
    position.pending!.set(id, resumed);
    writes.push(store.putTask(resumed));
  }
  return writes;
}

export { isFinished };
