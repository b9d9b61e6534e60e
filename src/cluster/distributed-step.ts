import type { TaskRecord, TaskSpec } from "../engine/records.js";
import { CancelReason } from "../engine/signals.js";
import { runStep, type StepRunner } from "../engine/step-runner.js";
import { isFinal, storedOutcome } from "../engine/stored-outcome.js";
import type { TaskEnv, TaskOutcome } from "../engine/task-runner.js";
import { BatonError } from "../errors.js";
import type { ClusterStore, Fence, StepProgress, StepTaskOffer } from "../stores/postgres/cluster-store.js";
import type { WorkerEventInput } from "./events.js";
import { LeaseLostError } from "./lease-lost.js";
import type { StepSignals } from "./step-signals.js";

export interface DistributeContext {
  readonly store: ClusterStore;
  /** Spread a step over the workers when more than this many of its tasks are left to run. */
  readonly above: number;
  /** Longest wait between checks on a distributed step's progress. */
  readonly pollMs: number;
  readonly signals: StepSignals;
  /** Tasks were offered: let this worker's own task pool claim its share at once. */
  readonly offered: () => void;
  readonly emit: (event: WorkerEventInput) => void;
}

const offeredAlready = (p: StepProgress) => p.open > 0 || p.aborted.length > 0;

/**
 * The step runner a worker drives a run with. A small step runs here, as always (`runStep`). A
 * large one is offered to every worker (`step_tasks`): this driver reserves each task's completion
 * order, waits while any worker — this one too — runs the tasks and stores their records, then
 * hands the loop the outcomes those records stand for. The loop then settles the step exactly as
 * if the tasks had run here: writes applied in task order, routing, the join, the checkpoint; it
 * runs once because only the lease holder drives the run. A driver that dies mid-step leaves the
 * offered tasks running; the worker that takes the run over offers what is left again (offered tasks
 * keep their rows) and waits the same way.
 */
export function distributedSteps(
  ctx: DistributeContext,
  fence: Fence,
  run: { takenOver: boolean; offered: boolean },
): StepRunner {
  let first = true;
  return async (env, nodes, tasks, stored, maxConcurrency) => {
    // A task with a final record is not offered again (a failure stands).
    const open = tasks.filter((t) => !isFinal(stored?.get(t.id)));
    // A run taken over may be in a step its last driver offered: wait for those tasks, whatever
    // this worker's own threshold, or they would run twice.
    const offeredBefore =
      first && run.takenOver && offeredAlready(await ctx.store.stepProgress(env.runId, env.step));
    first = false;
    if (open.length <= ctx.above && !offeredBefore) return runStep(env, nodes, tasks, stored, maxConcurrency);
    run.offered = true;
    const offers = open.map((t) => offer(t, stored?.get(t.id), env.nextSeq()));
    if (!(await ctx.store.publishStepTasks(fence, env.step, offers))) throw new LeaseLostError(fence);
    ctx.emit({ type: "step_distributed", runId: env.runId, step: env.step, tasks: offers.length });
    ctx.offered();
    const aborted = await waitForStep(ctx, fence, env);
    return collect(ctx.store, env, tasks, stored, aborted);
  };
}

function offer(task: TaskSpec, previous: TaskRecord | undefined, seq: number): StepTaskOffer {
  return {
    id: task.id,
    node: task.node,
    ...(task.input !== undefined ? { input: task.input } : {}),
    seq,
    ...(previous?.status === "retrying" && previous.nextDueAt !== undefined
      ? { notBefore: previous.nextDueAt }
      : {}),
  };
}

/** Until no offered task is open; `undefined` when the run was stopped first (tasks withdrawn). */
async function waitForStep(
  ctx: DistributeContext,
  fence: Fence,
  env: TaskEnv,
): Promise<StepProgress["aborted"] | undefined> {
  let delayMs = 5;
  for (;;) {
    if (env.signal.aborted) {
      // Cancelled: withdraw the tasks. Lease lost or shutting down: the fence refuses, tasks stay.
      await ctx.store.cancelStepTasks(fence, env.step).catch(() => false);
      return undefined;
    }
    const progress = await ctx.store.stepProgress(env.runId, env.step);
    if (progress.open === 0) return progress.aborted;
    await ctx.signals.wait(env.runId, env.step, delayMs, env.signal);
    delayMs = Math.min(delayMs * 2, ctx.pollMs);
  }
}

/** The step's outcomes in task order, from the records the workers stored. */
async function collect(
  store: ClusterStore,
  env: TaskEnv,
  tasks: readonly TaskSpec[],
  stored: ReadonlyMap<string, TaskRecord> | undefined,
  aborted: StepProgress["aborted"] | undefined,
): Promise<TaskOutcome[]> {
  const records = new Map<string, TaskRecord>();
  for (const r of await store.listTasks(env.runId)) if (r.step === env.step) records.set(r.taskId, r);
  const abortedBy = new Map((aborted ?? []).map((a) => [a.taskId, a.reason]));
  const reason = env.signal.reason instanceof CancelReason ? env.signal.reason : new CancelReason(false);
  let maxSeq = 0;
  const outcomes = tasks.map((t): TaskOutcome => {
    const why = abortedBy.get(t.id);
    if (why !== undefined) return { kind: "aborted", reason: why };
    const record = records.get(t.id) ?? stored?.get(t.id);
    const outcome = record && storedOutcome(record);
    if (outcome && record) maxSeq = Math.max(maxSeq, record.seq);
    // Stopped before the step ended: what finished counts (for compensation), the rest was cancelled.
    if (aborted === undefined) return outcome?.kind === "finished" ? outcome : { kind: "cancelled", reason };
    if (!outcome) {
      throw new BatonError("STORE", `Task ${t.id} of step ${env.step} ended without a record`, {
        runId: env.runId,
        step: env.step,
        node: t.node,
      });
    }
    return outcome;
  });
  // Records made elsewhere took completion numbers this driver reserved: stay above all of them.
  while (env.nextSeq() < maxSeq);
  return outcomes;
}
