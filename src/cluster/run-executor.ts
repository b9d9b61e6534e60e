import type { ResumeOptions } from "../engine/compiled.js";
import type { EventListener } from "../engine/events.js";
import { type RunStatus, stopsRun, TERMINAL_STATUSES } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import { BatonError, errorInfo } from "../errors.js";
import type { ClaimedRun, ClusterStore, Fence } from "../stores/postgres/cluster-store.js";
import { type DistributeContext, distributedSteps } from "./distributed-step.js";
import { errorEvent, type WorkerEventInput } from "./events.js";
import { underFence } from "./fence-scope.js";
import { LeaseLostError } from "./lease-lost.js";
import type { Workflow, WorkflowSource } from "./workflow.js";

export interface RunContext {
  readonly store: ClusterStore;
  /** The store the workflows were compiled with (fenced). */
  readonly workflowStore: Store;
  readonly workerId: string;
  readonly workflow: WorkflowSource;
  readonly distribute: DistributeContext;
  readonly onRunEvent?: EventListener;
  readonly emit: (event: WorkerEventInput) => void;
  /** The worker's lease length (`--lease-ms`): the child runs its runs start are leased as long. */
  readonly leaseMs?: number;
}

/** Errors that no worker can get past: the run fails with them instead of being claimed forever. */
const HOPELESS = new Set(["GRAPH_CHANGED", "INPUT_INVALID", "CONFIG_INVALID", "GRAPH_INVALID"]);

/**
 * Execute a claimed run under its lease until it stops: start it (a submitted run) or resume it from
 * its last checkpoint (a run taken over), through the workflow's own `resume`. Then end the lease: a
 * stopped run is left unleased, an unfinished one (lease lost, shutdown) is another worker's to take.
 */
export async function executeRun(ctx: RunContext, claim: ClaimedRun, signal: AbortSignal): Promise<void> {
  const { run, lease } = claim;
  const fence: Fence = { kind: "run", runId: run.id, owner: ctx.workerId, attempts: lease.attempts };
  const from = lease.previousOwner;
  ctx.emit({
    type: "run_claimed",
    runId: run.id,
    graph: run.graph,
    attempts: lease.attempts,
    ...(from ? { takenOverFrom: from } : {}),
  });
  try {
    const steps = { takenOver: lease.attempts > 1, offered: false };
    const status = await underFence({ fence }, () => drive(ctx, claim, fence, signal, steps));
    if (steps.offered && TERMINAL_STATUSES.has(status)) await ctx.store.clearStepTasks(run.id);
    // Storing a stopped status ended the lease already; anything else (a run left running) ends here.
    if (!stopsRun(status)) await ctx.store.endLease(ctx.workerId, run.id, lease.attempts);
    ctx.emit({ type: "run_finished", runId: run.id, status });
  } catch (error) {
    if (error instanceof LeaseLostError) {
      if (!signal.aborted) ctx.emit({ type: "run_lost", runId: run.id, why: "a write was refused" });
      return;
    }
    ctx.emit(errorEvent("run", error, run.id));
    // Let another worker (or this one) try again now rather than after the lease runs out.
    await ctx.store.endLease(ctx.workerId, run.id, lease.attempts).catch(() => false);
  }
}

async function drive(
  ctx: RunContext,
  claim: ClaimedRun,
  fence: Fence,
  signal: AbortSignal,
  steps: { takenOver: boolean; offered: boolean },
): Promise<RunStatus> {
  const { run } = claim;
  let graph: Workflow;
  try {
    graph = await ctx.workflow(run.graph);
    if (graph.store !== ctx.workflowStore) {
      throw new BatonError(
        "CONFIG_INVALID",
        `Workflow "${run.graph}" does not use the store the worker gives it: export a function (ctx) => graph.compile({ store: ctx.store })`,
        { runId: run.id },
      );
    }
  } catch (error) {
    return fail(ctx, fence, error);
  }
  if (run.cancelRequested && !TERMINAL_STATUSES.has(run.status)) {
    // Cancelled while nobody ran it (or its worker died): carry the cancellation out here.
    await graph.cancel(run.id, {
      compensate: run.cancelRequested.compensate,
      ownedBy: ctx.workerId,
      actor: { via: "worker", who: ctx.workerId },
    });
    return (await ctx.store.getRun(run.id))?.status ?? "cancelled";
  }
  const options: ResumeOptions = {
    signal,
    ownedBy: ctx.workerId,
    actor: { via: "worker", who: ctx.workerId },
    ...(ctx.leaseMs !== undefined ? { leaseMs: ctx.leaseMs } : {}),
    // A run that sleeps is let go at once: whichever worker finds it due continues it.
    hold: 0,
    stepRunner: distributedSteps(ctx.distribute, fence, steps),
    onEvent: (event) => {
      if (event.type === "run_started") ctx.emit({ type: "run_started", runId: run.id });
      ctx.onRunEvent?.(event);
    },
  };
  try {
    return (await graph.resume(run.id, undefined, options)).status;
  } catch (error) {
    if (error instanceof BatonError && HOPELESS.has(error.code)) return fail(ctx, fence, error);
    if (error instanceof BatonError && error.code === "RUN_STATE" && !(error instanceof LeaseLostError)) {
      // Finished by someone else meanwhile: nothing to do. Otherwise (still unwinding here) try again.
      const now = await ctx.store.getRun(run.id);
      if (now && TERMINAL_STATUSES.has(now.status)) return now.status;
    }
    throw error;
  }
}

/** The run cannot be executed by any worker as things are: fail it, saying why. */
async function fail(ctx: RunContext, fence: Fence, error: unknown): Promise<RunStatus> {
  const written = await ctx.store.updateRunFenced(fence, fence.runId, {
    status: "failed",
    error: errorInfo(error),
  });
  if (!written) throw new LeaseLostError(fence);
  ctx.emit(errorEvent("run", error, fence.runId));
  return "failed";
}
