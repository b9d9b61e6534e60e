import type { NewRun, RunRecord } from "../../engine/records.js";
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
}

export function isClusterStore(store: Store): store is ClusterStore {
  const s = store as Partial<ClusterStore>;
  return typeof s.claimRun === "function" && typeof s.submitRun === "function";
}
