import { hostname } from "node:os";
import type { EventListener } from "../engine/events.js";
import type { Store } from "../engine/store.js";
import type { ClaimedRun, ClaimedStepTask, ClusterStore } from "../stores/postgres/cluster-store.js";
import { type WorkerEventListener, workerEmitter } from "./events.js";
import { exitedOwnerReleaser } from "./release-exited.js";
import { executeRun } from "./run-executor.js";
import { StepSignals } from "./step-signals.js";
import { StepStates } from "./step-states.js";
import { executeStepTask } from "./step-task-executor.js";
import { Worker } from "./worker.js";
import type { WorkflowSource } from "./workflow.js";

export interface ClusterWorkerOptions {
  readonly store: ClusterStore;
  /**
   * Where claims, heartbeats and releases go (default `store`): a store with its own small pool, so
   * a heartbeat never waits for a connection behind the runs' own queries and a busy worker does not
   * lose its leases.
   */
  readonly control?: ClusterStore;
  /** The store the workflows are compiled with: `fencedStore(store)`. */
  readonly workflowStore: Store;
  readonly workflow: WorkflowSource;
  /** Unique per process; default `host:pid:random`. */
  readonly id?: string;
  /** Most runs driven at once (default 10). */
  readonly concurrency?: number;
  /** Most step tasks run at once (default: `concurrency`). */
  readonly taskConcurrency?: number;
  /** Only runs (and step tasks) of these queues; default every queue. */
  readonly queues?: readonly string[];
  /** Lease length (default 30 s): a dead worker's work is taken over this long after its last heartbeat. */
  readonly leaseMs?: number;
  /** Longest wait between claims when no notification arrives (default 500 ms). */
  readonly pollMs?: number;
  /** Spread a step over the workers when it has more tasks left than this (default 32). */
  readonly distributeAbove?: number;
  /** A step task's retry due later than this goes back to the queue (default 1 s). */
  readonly yieldAfterMs?: number;
  /** Listen for work notifications (default true). */
  readonly listen?: boolean;
  readonly onEvent?: WorkerEventListener;
  /** Every engine event of the runs this worker drives (tracing, say). */
  readonly onRunEvent?: EventListener;
}

export type ClusterWorker = Worker<ClaimedRun, ClaimedStepTask> & { readonly id: string };

const taskKey = (t: { runId: string; step: number; taskId: string }) => `${t.runId}\0${t.step}\0${t.taskId}`;

/** A `baton worker`: claims runs and step tasks from PostgreSQL and executes them under leases. */
export function clusterWorker(o: ClusterWorkerOptions): ClusterWorker {
  const id = o.id ?? `${hostname()}:${process.pid}:${globalThis.crypto.randomUUID().slice(0, 4)}`;
  const { store } = o;
  const control = o.control ?? store;
  const concurrency = o.concurrency ?? 10;
  const leaseMs = o.leaseMs ?? 30_000;
  const queues = o.queues && o.queues.length > 0 ? o.queues : undefined;
  const emit = workerEmitter(id, o.onEvent ? [o.onEvent] : []);
  const signals = new StepSignals();
  let worker: ClusterWorker | undefined;
  const releaseExited = exitedOwnerReleaser(control);
  const base = { store, workflowStore: o.workflowStore, workerId: id, workflow: o.workflow, emit };
  const runCtx = {
    ...base,
    leaseMs,
    ...(o.onRunEvent ? { onRunEvent: o.onRunEvent } : {}),
    distribute: {
      store,
      above: o.distributeAbove ?? 32,
      pollMs: Math.min(o.pollMs ?? 500, 200),
      signals,
      offered: () => worker?.wake(),
      emit,
    },
  };
  const taskCtx = { ...base, states: new StepStates(store), signals, yieldAfterMs: o.yieldAfterMs ?? 1_000 };
  const loop = new Worker<ClaimedRun, ClaimedStepTask>(
    {
      concurrency,
      taskConcurrency: o.taskConcurrency ?? concurrency,
      leaseMs,
      pollMs: o.pollMs ?? 500,
      ...(queues ? { queues } : {}),
      emit,
    },
    {
      runs: {
        claim: async () => {
          // At start, then every few seconds: runs of processes gone from this machine become claimable.
          await releaseExited().catch(() => undefined);
          const claim = await control.claimRun(id, leaseMs, queues);
          return claim ? [claim] : [];
        },
        key: (c) => c.run.id,
        heartbeat: (claims) =>
          control.heartbeat(
            id,
            claims.map((c) => c.run.id),
            leaseMs,
          ),
        release: (c) => control.endLease(id, c.run.id, c.lease.attempts),
        execute: (c, signal) => executeRun(runCtx, c, signal),
        lost: (c, why) => ({ type: "run_lost", runId: c.run.id, why }),
        released: (c) => ({ type: "run_released", runId: c.run.id }),
      },
      tasks: {
        claim: (limit) => control.claimStepTasks(id, leaseMs, limit, queues),
        key: taskKey,
        heartbeat: async (tasks) => (await control.heartbeatStepTasks(id, tasks, leaseMs)).map(taskKey),
        release: (t) =>
          control.releaseStepTask({ kind: "task", ...keyOf(t), owner: id, attempts: t.lease.attempts }),
        execute: (t, signal) => executeStepTask(taskCtx, t, signal),
        lost: (t, why) => ({ type: "task_lost", ...keyOf(t), why }),
        released: (t) => ({ type: "task_released", ...keyOf(t) }),
      },
      ...(o.listen === false ? {} : { listen: (onWork) => control.listenForWork(onWork) }),
    },
  );
  worker = Object.assign(loop, { id });
  return worker;
}

const keyOf = (t: ClaimedStepTask) => ({ runId: t.runId, step: t.step, taskId: t.taskId });
