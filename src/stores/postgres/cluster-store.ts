import type { NewHistoryEvent } from "../../engine/history.js";
import type {
  Checkpoint,
  CompensationRecord,
  NewRun,
  RunPatch,
  RunRecord,
  TaskRecord,
} from "../../engine/records.js";
import type { Store } from "../../engine/store.js";

/** A worker's hold on a run: it alone executes the run until the lease expires or is released. */
export interface Lease {
  readonly owner: string;
  /** Epoch ms on the database's clock; heartbeats push it forward. */
  readonly expiresAt: number;
  /** How many times the run has been claimed, this claim included. */
  readonly attempts: number;
  /** Set when this claim took the run over from a worker whose lease expired. */
  readonly previousOwner?: string;
}

export interface ClaimedRun {
  readonly run: RunRecord;
  readonly lease: Lease;
}

/**
 * Which lease a write is made under. A worker's writes carry the lease's owner and claim number
 * (`attempts`, a fencing token): a write is stored only while that very lease is live, so a worker
 * that lost its lease (stalled past the expiry, or taken over) can write nothing more.
 */
export type Fence =
  | { readonly kind: "run"; readonly runId: string; readonly owner: string; readonly attempts: number }
  | {
      readonly kind: "task";
      readonly runId: string;
      readonly step: number;
      readonly taskId: string;
      readonly owner: string;
      readonly attempts: number;
    };

/** One task of a step offered to every worker (distributed fan-out). */
export interface StepTaskOffer {
  readonly id: string;
  readonly node: string;
  readonly input?: unknown;
  /** Completion order the driver reserved for it (`TaskRecord.seq`). */
  readonly seq: number;
  /** Not claimable before this time (epoch ms): a retrying task's next attempt. */
  readonly notBefore?: number;
}

export interface StepTaskKey {
  readonly runId: string;
  readonly step: number;
  readonly taskId: string;
}

/** A step task a worker leased: what to run, for which run, and the task's stored record so far. */
export interface ClaimedStepTask extends StepTaskKey {
  readonly node: string;
  readonly input?: unknown;
  readonly seq: number;
  readonly queue: string;
  readonly graph: string;
  readonly graphHash: string;
  /** The task's own record (a retry or an interrupt in progress), if any. */
  readonly previous?: TaskRecord;
  readonly lease: Lease;
}

/** What is left of a published step: tasks not finished yet, and tasks that ended the run (`ctx.abort`). */
export interface StepProgress {
  readonly open: number;
  readonly aborted: ReadonlyArray<{ readonly taskId: string; readonly reason: string }>;
}

/**
 * A store that many `baton worker` processes share. Runs are submitted as `pending`; a worker claims
 * one under a lease and keeps it alive with heartbeats while it executes the run; a run whose lease
 * expired (its worker died) is claimable again and resumes from its last checkpoint. All times are
 * the database's, so workers' clocks need not agree.
 *
 * Claiming never changes a run's status: the engine does that when it starts or resumes the run.
 * Runs started in-process (`graph.run`, status `running`, never leased) belong to that process and
 * are never claimed.
 */
export interface ClusterStore extends Store {
  /** Enqueue a run for any worker (status `pending`); idempotent on the run id like `createRun`. */
  submitRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Lease the oldest runnable run: `pending` and not leased, or `pending`/`running`/`compensating`
   * with a lease that expired or was released. Runs of a queue whose concurrency limit is reached
   * (counting live leases across all workers) are passed over. `queues` restricts the search.
   * `undefined` when nothing is claimable — or, for an instant, when other workers are claiming the
   * only runnable runs: poll again.
   */
  claimRun(workerId: string, leaseMs: number, queues?: readonly string[]): Promise<ClaimedRun | undefined>;
  /**
   * Extend the leases `workerId` still holds on these runs to `leaseMs` from now; returns the ids
   * renewed. A run missing from the answer was lost (its lease expired or another worker has it):
   * stop executing it.
   */
  heartbeat(workerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]>;
  /** End `workerId`'s lease at once; an unfinished run is claimable again. False if it held none. */
  releaseRun(workerId: string, runId: string): Promise<boolean>;
  /** Most runs of `queue` leased at once across all workers; `null` lifts the limit, 0 pauses the queue. */
  setQueueConcurrency(queue: string, concurrency: number | null): Promise<void>;
  /**
   * End a lease by its fence: a run that may still need a worker becomes claimable at once; a run
   * that stopped (finished or interrupted) is left unleased, so whoever resumes it later owns it.
   */
  endLease(workerId: string, runId: string, attempts: number): Promise<boolean>;
  /** The live lease on a run, if a worker holds one. */
  getLease(runId: string): Promise<Lease | undefined>;

  // Writes under a fence: false (nothing written) when the fence's lease is no longer held.
  putTaskFenced(fence: Fence, record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<boolean>;
  putCheckpointFenced(fence: Fence, checkpoint: Checkpoint): Promise<boolean>;
  updateRunFenced(fence: Fence, runId: string, patch: RunPatch): Promise<boolean>;
  putCompensationFenced(fence: Fence, record: CompensationRecord): Promise<boolean>;

  // Step tasks: one superstep's tasks spread over the workers.
  /** Offer tasks of `step` to every worker, under the run's fence; tasks already offered are kept. */
  publishStepTasks(fence: Fence, step: number, tasks: readonly StepTaskOffer[]): Promise<boolean>;
  stepProgress(runId: string, step: number): Promise<StepProgress>;
  /** Lease up to `limit` claimable step tasks, oldest first, of runs in `queues` (default: all). */
  claimStepTasks(
    workerId: string,
    leaseMs: number,
    limit: number,
    queues?: readonly string[],
  ): Promise<ClaimedStepTask[]>;
  /** Renew the step-task leases `workerId` still holds; returns the keys renewed. */
  heartbeatStepTasks(workerId: string, keys: readonly StepTaskKey[], leaseMs: number): Promise<StepTaskKey[]>;
  /** Give a leased step task back, claimable again from `notBefore` (default now). */
  releaseStepTask(fence: Fence, notBefore?: number): Promise<boolean>;
  /** Record that a leased step task ended its run on purpose (`ctx.abort`). */
  abortStepTask(fence: Fence, reason: string): Promise<boolean>;
  /** Withdraw a step's unfinished tasks (the run was cancelled), under the run's fence. */
  cancelStepTasks(fence: Fence, step: number): Promise<boolean>;
  /** Drop what is left of a finished run's step tasks. */
  clearStepTasks(runId: string): Promise<void>;
  /** Call `onWork` when new work may be claimable (a run submitted or released, tasks offered). */
  listenForWork(onWork: () => void): Promise<{ close(): Promise<void> }>;
}

export function isClusterStore(store: Store): store is ClusterStore {
  const s = store as Partial<ClusterStore>;
  return typeof s.claimRun === "function" && typeof s.submitRun === "function";
}
