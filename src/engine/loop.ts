import { BatonError, coerceError, type ErrorInfo, errorInfo } from "../errors.js";
import type { StateDefinition } from "../graph/state.js";
import type { GraphSpec, RetryPolicy } from "../graph/types.js";
import { type Breakpoints, breakpointPause } from "./breakpoints.js";
import type { EventListener } from "./events.js";
import type { Checkpoint, InterruptInfo, RunStatus, TaskRecord, TaskSpec, WaitInfo } from "./records.js";
import { nextTasks, type RoutingTable } from "./routing.js";
import { compensate } from "./saga.js";
import { CancelReason, StopReason } from "./signals.js";
import { runStep, type StepRunner } from "./step-runner.js";
import { type Store, writeInOrder } from "./store.js";
import type { TaskEnv, TaskOutcome } from "./task-runner.js";
import { applyWrites, compareTaskIds } from "./writes.js";

/** A compiled graph as the loop sees it. */
export interface Engine {
  readonly name: string;
  readonly definition: StateDefinition;
  readonly spec: GraphSpec;
  readonly table: RoutingTable;
  readonly maxConcurrency: number;
  readonly stepLimit: number;
  readonly retry: RetryPolicy | undefined;
  readonly now: () => number;
}

/** Where a run stands when the loop picks it up: fresh after its input, or rebuilt from the store. */
export interface Position {
  step: number;
  state: Record<string, unknown>;
  next: readonly TaskSpec[];
  joins: Readonly<Record<string, readonly string[]>>;
  /** Records already stored for the step about to run (after a crash or an interrupt). */
  pending: Map<string, TaskRecord> | undefined;
  /** Finished tasks whose node can be undone, in completion order. */
  undoable: TaskRecord[];
  seq: number;
  /** When set, the run failed before and only its compensation is left to do. */
  compensating?: ErrorInfo;
  /** Static breakpoints of this drive (`interruptBefore`, `interruptAfter`). */
  breaks?: Breakpoints;
  /** How long a child run a task starts is waited for here when it sleeps or waits (its caller's `hold`). */
  childHold?: number;
  /** How long the lease of a child run a task starts lasts unless renewed (its parent's). */
  childLeaseMs?: number;
}

export interface RunOutcome {
  status: RunStatus;
  state: Record<string, unknown>;
  error?: ErrorInfo;
  interrupts?: InterruptInfo[];
  /** What a `sleeping` or `waiting` run's tasks wait for, and when it is due again. */
  waits?: WaitInfo[];
  wakeAt?: number;
  steps: number;
  /** The run's last checkpoint, not stored yet: the caller stores it with the final status. */
  checkpoint?: Checkpoint;
  /** Its owner stopped driving it (status unchanged: `running` or `compensating`); it can be resumed. */
  stopped?: StopReason;
  /** Task records to store before the checkpoint, in the same commit (see `settle`). */
  unsaved?: ReadonlyArray<(store: Store) => Promise<void>>;
}

/** Run supersteps until the graph ends, fails, pauses or is cancelled; store each step as it ends. */
export async function drive(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  pos: Position,
  emit: EventListener | undefined,
  signal: AbortSignal,
  run: StepRunner = runStep,
): Promise<RunOutcome> {
  if (pos.compensating) return unwind(engine, store, runId, pos, emit, signal, pos.compensating);
  const env = taskEnv(engine, store, runId, pos, emit, signal);
  while (pos.next.length > 0) {
    if (signal.aborted) return stop(engine, store, runId, pos, emit, signal.reason);
    const step = pos.step + 1;
    if (step > engine.stepLimit) {
      const error = new BatonError(
        "STEP_LIMIT",
        `Run stopped after ${engine.stepLimit} steps (stepLimit); the graph may loop forever`,
        { runId, step },
      );
      return unwind(engine, store, runId, pos, emit, signal, errorInfo(error));
    }
    const tasks = runnable(engine, pos.next);
    const before = breakpointPause(pos.breaks, "before", tasks, step);
    if (before) return { status: "interrupted", state: pos.state, interrupts: before, steps: pos.step };
    env.step = step;
    env.state = pos.state;
    emit?.({
      type: "step_started",
      runId,
      at: engine.now(),
      step,
      tasks: tasks.map((t) => ({ id: t.id, node: t.node })),
    });
    const outcomes = await run(env, engine.spec.nodes, tasks, pos.pending, engine.maxConcurrency);
    pos.pending = undefined;
    const verdict = await settle(engine, store, runId, pos, step, tasks, outcomes, emit, signal);
    if (verdict) return verdict;
    const after = pos.next.length > 0 ? breakpointPause(pos.breaks, "after", tasks, step) : undefined;
    if (after) return { status: "interrupted", state: pos.state, interrupts: after, steps: pos.step };
  }
  return { status: "completed", state: pos.state, steps: pos.step };
}

/** Apply a step's outcomes: pause, fail, or commit the writes and the next checkpoint. */
async function settle(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  pos: Position,
  step: number,
  tasks: readonly TaskSpec[],
  outcomes: readonly TaskOutcome[],
  emit: EventListener | undefined,
  signal: AbortSignal,
): Promise<RunOutcome | undefined> {
  // A lone task's record is stored with the checkpoint (one commit) on the straight path; on any
  // other path it is stored first, as it would have been when the task finished.
  const unsaved = unsavedOf(outcomes);
  if (unsaved.length > 0 && store && !outcomes.every((o) => o.kind === "finished"))
    await writeInOrder(store, ...unsaved);
  const finished: TaskRecord[] = [];
  const interrupts: InterruptInfo[] = [];
  const waits: WaitInfo[] = [];
  for (const [i, o] of outcomes.entries()) {
    if (o.kind === "cancelled") return stop(engine, store, runId, pos, emit, o.reason, finishedOf(outcomes));
    if (o.kind === "aborted") {
      const error = new BatonError("RUN_ABORTED", `Node "${tasks[i]!.node}" ended the run: ${o.reason}`, {
        runId,
        node: tasks[i]!.node,
        step,
      });
      return unwind(engine, store, runId, pos, emit, signal, errorInfo(error), finishedOf(outcomes));
    }
    if (o.kind === "failed")
      return unwind(engine, store, runId, pos, emit, signal, errorInfo(o.error), finishedOf(outcomes));
    if (o.kind === "interrupted")
      interrupts.push({
        taskId: o.record.taskId,
        node: o.record.node,
        step,
        payload: o.payload,
        ...(o.schema ? { schema: o.schema } : {}),
        ...(o.from ? { from: o.from } : {}),
      });
    else if (o.kind === "waiting") waits.push(o.wait);
    else finished.push(o.record);
  }
  // A person's answer comes first; the waiting tasks look again at their waits when it comes.
  if (interrupts.length > 0) return { status: "interrupted", state: pos.state, interrupts, steps: pos.step };
  if (waits.length > 0) return waitOutcome(pos, waits);
  try {
    const state = { ...pos.state };
    // Task records are TaskWrites and Finished as they are: no per-task copies on the hot path.
    applyWrites(engine.definition.channels, state, finished, step);
    const { next, joins } = nextTasks(engine.table, finished, state, pos.joins);
    track(engine, pos, finished);
    pos.step = step;
    pos.state = state;
    pos.next = tasks === pos.next ? next : withDeferred(next, pos.next, tasks);
    pos.joins = joins;
  } catch (error) {
    if (unsaved.length > 0 && store) await writeInOrder(store, ...unsaved);
    return unwind(engine, store, runId, pos, emit, signal, errorInfo(coerceError(error)), finished);
  }
  if (store) {
    const checkpoint = { runId, step, next: pos.next, joins: pos.joins, createdAt: engine.now() };
    if (pos.next.length === 0)
      return { status: "completed", state: pos.state, steps: step, checkpoint, unsaved };
    // Why one commit is safe: until it lands, nothing has read the lone task's record (no other task
    // of the step ran alongside it, the next step has not started). A crash before it loses that
    // record and the checkpoint together, and resuming runs the task again with the same
    // idempotency key, exactly as for a task in flight at the crash.
    await writeInOrder(store, ...unsaved, (s) => s.putCheckpoint(checkpoint));
    emit?.({ type: "checkpoint_saved", runId, at: engine.now(), step });
  }
  return undefined;
}

/**
 * The step's other tasks finished (their records are stored); the run waits, held by nobody, until
 * its earliest wake time (none: only an event without a timeout can wake it).
 */
function waitOutcome(pos: Position, waits: WaitInfo[]): RunOutcome {
  const ends = waits.flatMap((w) => (w.until === undefined ? [] : [w.until]));
  return {
    status: waits.every((w) => w.kind === "sleep") ? "sleeping" : "waiting",
    state: pos.state,
    waits,
    ...(ends.length ? { wakeAt: Math.min(...ends) } : {}),
    steps: pos.step,
  };
}

/**
 * The tasks that run in this step: all of them, except that deferred nodes (`defer: true`) wait
 * while anything else is pending, so they run once the run has nothing else left to do. The same
 * array when nothing waits (the usual case costs one scan).
 */
function runnable(engine: Engine, next: readonly TaskSpec[]): readonly TaskSpec[] {
  let deferred = 0;
  for (const t of next) if (engine.spec.nodes.get(t.node)?.options.defer) deferred++;
  if (deferred === 0 || deferred === next.length) return next;
  return next.filter((t) => !engine.spec.nodes.get(t.node)?.options.defer);
}

/** The next step's tasks, plus the deferred ones that waited this step (once each). */
function withDeferred(next: TaskSpec[], pending: readonly TaskSpec[], ran: readonly TaskSpec[]): TaskSpec[] {
  const waited = pending.filter((t) => !ran.includes(t) && !next.some((n) => n.id === t.id));
  // Sorted as routing sorts a step's tasks, so writes apply in the same order however they got here.
  return waited.length ? [...next, ...waited].sort((a, b) => compareTaskIds(a.id, b.id)) : next;
}

type Write = (store: Store) => Promise<void>;

/**
 * The writes of records a lone task left for the step's commit (see `runTask`'s `defer`), and the
 * writes the tasks of a parallel step issued as they finished and the step has not waited for yet.
 * Why waiting for those only here is safe: each was issued the moment its task finished, so it is
 * stored as soon as it would have been; what waiting guards is that nothing depends on a record
 * before it is stored, and nothing does before the step's checkpoint, which a store that keeps
 * write order commits with them or after them. Branches finishing together thus share one commit,
 * with the checkpoint when it is issued in the same turn; a crash before it repeats only tasks
 * whose records were not committed, with the same idempotency keys.
 */
function unsavedOf(outcomes: readonly TaskOutcome[]): Write[] {
  const writes: Write[] = [];
  for (const o of outcomes)
    if (o.kind === "finished" && o.unsaved) {
      const { record } = o;
      writes.push((s) => s.putTask(record));
    } else if (o.kind === "finished" && o.saving) {
      const { saving } = o;
      writes.push(() => saving);
    }
  return writes;
}

const finishedOf = (outcomes: readonly TaskOutcome[]) =>
  outcomes.flatMap((o) => (o.kind === "finished" ? [o.record] : []));

function track(engine: Engine, pos: Position, finished: readonly TaskRecord[]): void {
  for (const r of finished)
    if (r.status === "succeeded" && engine.spec.nodes.get(r.node)!.options.compensate) pos.undoable.push(r);
}

/** Cancelled from outside: compensate when asked to, else just stop. */
async function stop(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  pos: Position,
  emit: EventListener | undefined,
  reason: unknown,
  alsoFinished: readonly TaskRecord[] = [],
): Promise<RunOutcome> {
  track(engine, pos, alsoFinished);
  if (reason instanceof StopReason)
    return { status: "running", state: pos.state, steps: pos.step, stopped: reason };
  const error = errorInfo(new BatonError("RUN_CANCELLED", `Run ${runId} was cancelled`, { runId }));
  // Cancelled, not failed: compensation only runs when asked for and when something can be undone.
  if (reason instanceof CancelReason && reason.compensate && pos.undoable.length > 0) {
    return unwind(engine, store, runId, pos, emit, undefined, error);
  }
  return { status: "cancelled", state: pos.state, error, steps: pos.step };
}

/** The run failed for good: undo completed steps in reverse order when any can be undone. */
async function unwind(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  pos: Position,
  emit: EventListener | undefined,
  signal: AbortSignal | undefined,
  error: ErrorInfo,
  alsoFinished: readonly TaskRecord[] = [],
): Promise<RunOutcome> {
  track(engine, pos, alsoFinished);
  if (pos.undoable.length === 0) return { status: "failed", state: pos.state, error, steps: pos.step };
  await store?.updateRun(runId, { status: "compensating", error });
  const result = await compensate(
    engine,
    store,
    runId,
    pos.undoable,
    pos.state,
    emit,
    signal ?? new AbortController().signal,
  );
  if (result.status === "stopped")
    return { status: "compensating", state: pos.state, error, steps: pos.step, stopped: signal!.reason };
  const outcome: RunOutcome = {
    status: result.status,
    state: pos.state,
    error: result.error ?? error,
    steps: pos.step,
  };
  return outcome;
}

function taskEnv(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  pos: Position,
  emit: EventListener | undefined,
  signal: AbortSignal,
): TaskEnv & { step: number; state: Record<string, unknown> } {
  return {
    runId,
    step: pos.step,
    state: pos.state,
    channels: engine.definition.channels,
    signal,
    store,
    emit,
    retryDefault: engine.retry,
    errorKey: engine.spec.errorKey,
    nextSeq: () => ++pos.seq,
    now: engine.now,
    ...(pos.childHold !== undefined ? { childHold: pos.childHold } : {}),
    ...(pos.childLeaseMs !== undefined ? { childLeaseMs: pos.childLeaseMs } : {}),
  };
}
