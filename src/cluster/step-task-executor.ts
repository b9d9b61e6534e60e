import { engineOf } from "../engine/engine-registry.js";
import type { Engine } from "../engine/loop.js";
import type { TaskSpec } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import { isFinal } from "../engine/stored-outcome.js";
import { runTask, type TaskEnv } from "../engine/task-runner.js";
import type { NodeSpec } from "../graph/types.js";
import type { ClaimedStepTask, ClusterStore, Fence } from "../stores/postgres/cluster-store.js";
import { errorEvent, type WorkerEventInput } from "./events.js";
import { type FenceScope, underFence } from "./fence-scope.js";
import { LeaseLostError } from "./lease-lost.js";
import type { StepSignals } from "./step-signals.js";
import type { StepStates } from "./step-states.js";
import type { WorkflowSource } from "./workflow.js";

export interface StepTaskContext {
  readonly store: ClusterStore;
  /** The store the workflows were compiled with (fenced). */
  readonly workflowStore: Store;
  readonly workerId: string;
  readonly workflow: WorkflowSource;
  readonly states: StepStates;
  readonly signals: StepSignals;
  /** A retry due later than this is handed back to the queue instead of waited for here. */
  readonly yieldAfterMs: number;
  readonly emit: (event: WorkerEventInput) => void;
}

/**
 * Run one task of a step another worker (or this one) drives: the engine's own `runTask` — attempts,
 * timeouts, interrupts, the record stored the moment it ends — under the task's lease, with the
 * state the step's tasks read. Storing a final record also completes the task in `step_tasks`.
 */
export async function executeStepTask(
  ctx: StepTaskContext,
  task: ClaimedStepTask,
  signal: AbortSignal,
): Promise<void> {
  const { runId, step, taskId } = task;
  const fence: Fence = {
    kind: "task",
    runId,
    step,
    taskId,
    owner: ctx.workerId,
    attempts: task.lease.attempts,
  };
  const from = task.lease.previousOwner;
  ctx.emit({
    type: "task_claimed",
    runId,
    step,
    taskId,
    attempts: task.lease.attempts,
    ...(from ? { takenOverFrom: from } : {}),
  });
  try {
    const outcome = await runOne(ctx, task, fence, signal);
    if (outcome) ctx.emit({ type: "task_finished", runId, step, taskId, outcome });
  } catch (error) {
    if (error instanceof LeaseLostError) {
      if (!signal.aborted) ctx.emit({ type: "task_lost", runId, step, taskId, why: "a write was refused" });
    } else ctx.emit(errorEvent(`task ${taskId} of step ${step}`, error, runId));
  } finally {
    ctx.signals.finished(runId, step);
  }
}

/** How the task ended (for the log); undefined when it was stopped (lease lost, shutting down). */
async function runOne(
  ctx: StepTaskContext,
  task: ClaimedStepTask,
  fence: Fence,
  signal: AbortSignal,
): Promise<string | undefined> {
  const found = await engineFor(ctx, task);
  if (typeof found === "string") {
    if (!(await ctx.store.abortStepTask(fence, found))) throw new LeaseLostError(fence);
    return "aborted";
  }
  const { engine, node } = found;
  const previous = task.previous;
  if (isFinal(previous)) {
    // It ended before (finished, or failed for good): complete the task as it stands, never run it again.
    await underFence({ fence }, () => ctx.workflowStore.putTask(previous));
    return previous.status;
  }
  const local = new AbortController();
  const follow = () => local.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  let yieldUntil: number | undefined;
  const scope: FenceScope = {
    fence,
    onRetrying: (record) => {
      if (record.nextDueAt === undefined || record.nextDueAt - Date.now() <= ctx.yieldAfterMs) return;
      yieldUntil = record.nextDueAt;
      local.abort(new Error("retry handed back to the queue"));
    },
  };
  try {
    const env: TaskEnv = {
      runId: task.runId,
      step: task.step,
      channels: engine.definition.channels,
      state: await ctx.states.before(engine, task.runId, task.step),
      signal: local.signal,
      store: ctx.workflowStore,
      emit: undefined,
      retryDefault: engine.retry,
      errorKey: engine.spec.errorKey,
      nextSeq: () => task.seq,
      now: engine.now,
    };
    const spec: TaskSpec = {
      id: task.taskId,
      node: task.node,
      ...(task.input !== undefined ? { input: task.input } : {}),
    };
    const outcome = await underFence(scope, () => runTask(env, node, spec, task.previous));
    if (outcome.kind === "finished") return outcome.record.status;
    if (outcome.kind === "failed" || outcome.kind === "interrupted") return outcome.kind;
    if (outcome.kind === "aborted") {
      if (!(await ctx.store.abortStepTask(fence, outcome.reason))) throw new LeaseLostError(fence);
      return "aborted";
    }
    if (yieldUntil === undefined) return undefined;
    if (!(await ctx.store.releaseStepTask(fence, yieldUntil))) throw new LeaseLostError(fence);
    return "yielded";
  } finally {
    signal.removeEventListener("abort", follow);
  }
}

/** The engine and node the task needs, or why this worker cannot run it (the run then fails). */
async function engineFor(
  ctx: StepTaskContext,
  task: ClaimedStepTask,
): Promise<{ engine: Engine; node: NodeSpec } | string> {
  const cannot = (why: string) => `worker ${ctx.workerId} cannot run it: ${why}`;
  let graph: Awaited<ReturnType<WorkflowSource>>;
  try {
    graph = await ctx.workflow(task.graph);
  } catch (error) {
    return cannot((error as Error).message);
  }
  const engine = engineOf(graph);
  if (!engine) return cannot(`workflow "${task.graph}" was compiled by another copy of Baton`);
  if (graph.hash !== task.graphHash)
    return cannot(`workflow "${task.graph}" changed (${task.graphHash}, here ${graph.hash})`);
  const node = engine.spec.nodes.get(task.node);
  return node ? { engine, node } : cannot(`workflow "${task.graph}" has no node "${task.node}"`);
}
