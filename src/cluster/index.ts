/** `baton worker` and its parts: what the CLI and embedding applications import from the cluster layer. */
export { type ClusterWorker, type ClusterWorkerOptions, clusterWorker } from "./cluster-worker.js";
export type {
  WorkerEvent,
  WorkerEventListener,
  WorkerEventMap,
  WorkerEventType,
} from "./events.js";
export { fencedStore } from "./fenced-store.js";
export { LeaseLostError } from "./lease-lost.js";
export { Worker, type WorkerLoopOptions, type WorkerSetup, type WorkKind } from "./worker.js";
export type { Workflow, WorkflowSource } from "./workflow.js";
