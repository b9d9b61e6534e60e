/** The PostgreSQL store: what the rest of Baton (and its users) import from this folder. */
export type {
  ClaimedRun,
  ClaimedStepTask,
  ClusterStore,
  Fence,
  Lease,
  StepProgress,
  StepTaskKey,
  StepTaskOffer,
} from "./cluster-store.js";
export { isClusterStore } from "./cluster-store.js";
export { LATEST_VERSION } from "./migrate.js";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
