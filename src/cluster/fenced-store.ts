import type { NewHistoryEvent } from "../engine/history.js";
import type { Checkpoint, CompensationRecord, NewRun, RunPatch, TaskRecord } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import { BatonError } from "../errors.js";
import { scheduleMethods } from "../schedules/pass-through.js";
import type { ClusterStore, Fence } from "../stores/postgres/cluster-store.js";
import { currentFence, type FenceScope } from "./fence-scope.js";
import { LeaseLostError } from "./lease-lost.js";

/**
 * The store a worker compiles its workflows with: reads go straight to the cluster store; every
 * write is made under the lease of the code making it (see `fence-scope.ts`) and throws
 * `LeaseLostError` when that lease is gone, so the run stops where it is and stores nothing more.
 *
 * A child run a task starts (a subgraph node, `ctx.runChild`) is created and driven by the worker
 * running that task under the child's own lease, as any process drives a run it started: its
 * writes are not under the parent's fence (their run is another), and a second driver is kept out
 * by the child's lease.
 */
export function fencedStore(store: ClusterStore): Store {
  const scope = (runId: string): FenceScope => {
    const s = currentFence();
    if (!s) throw new BatonError("STORE", `A worker wrote to run ${runId} outside any lease`, { runId });
    return s;
  };
  const check = (fence: Fence, written: boolean) => {
    if (!written) throw new LeaseLostError(fence);
  };
  /** Writes to a run other than the fence's: a child run this worker drives under its own lease. */
  const own = (s: FenceScope, runId: string) => s.fence.runId !== runId;
  return {
    local: false,
    workers: true,
    // Each write below reaches the store in the same tick it is issued, so the store's order holds.
    ...(store.ordersWrites ? { ordersWrites: true } : {}),
    createRun(run: NewRun) {
      if (run.parent?.taskId !== undefined) return store.createRun(run);
      return Promise.reject(
        new BatonError("RUN_STATE", `Workers do not start runs (${run.id}): submit them`, { runId: run.id }),
      );
    },
    getRun: (runId) => store.getRun(runId),
    // Leases are the worker's own business (it claimed the run); history records what happened
    // even from a worker that just lost its lease. The run the worker claimed is never taken under
    // a lease of the engine's own: a run it let go (`hold: 0`) that is due already (an event came
    // as it stopped) would be driven under the worker's fence, which that lease voids; it is left
    // unleased, for the claim loop. Child runs the worker's tasks drive take their own leases.
    acquireRun: (runId, owner, replace) =>
      currentFence()?.fence.runId === runId
        ? Promise.resolve({ acquired: false })
        : store.acquireRun(runId, owner, replace),
    heartbeat: (ownerId, runIds, leaseMs) => store.heartbeat(ownerId, runIds, leaseMs),
    releaseRun: (ownerId, runId) => store.releaseRun(ownerId, runId),
    appendHistory: (events) => store.appendHistory(events),
    listHistory: (runId, page) => store.listHistory(runId, page),
    listRuns: (filter) => store.listRuns(filter),
    listTasks: (runId) => store.listTasks(runId),
    listCheckpoints: (runId) => store.listCheckpoints(runId),
    listCompensations: (runId) => store.listCompensations(runId),
    listDue: (now, filter) => store.listDue(now, filter),
    sendEvent: (event) => store.sendEvent(event),
    // Unfenced: a wait's event is keyed by the wait itself, so whoever drives the task next takes the same one.
    takeEvent: (runId, name, consumer, timedOut) => store.takeEvent(runId, name, consumer, timedOut),
    async updateRun(runId: string, patch: RunPatch) {
      const s = scope(runId);
      if (own(s, runId)) return store.updateRun(runId, patch);
      check(s.fence, await store.updateRunFenced(s.fence, runId, patch));
    },
    async putTask(record: TaskRecord, history?: readonly NewHistoryEvent[]) {
      const s = scope(record.runId);
      if (own(s, record.runId)) return store.putTask(record, history);
      check(s.fence, await store.putTaskFenced(s.fence, record, history));
      if (record.status === "retrying") s.onRetrying?.(record);
    },
    async putCheckpoint(checkpoint: Checkpoint) {
      const s = scope(checkpoint.runId);
      if (own(s, checkpoint.runId)) return store.putCheckpoint(checkpoint);
      check(s.fence, await store.putCheckpointFenced(s.fence, checkpoint));
    },
    async putCompensation(record: CompensationRecord) {
      const s = scope(record.runId);
      if (own(s, record.runId)) return store.putCompensation(record);
      check(s.fence, await store.putCompensationFenced(s.fence, record));
    },
    // Schedules are nobody's lease: tick passes guard themselves (compare-and-set).
    ...scheduleMethods(store),
    // The worker owns the cluster store and closes it; a workflow closing its store must not.
    close: () => Promise.resolve(),
  };
}
