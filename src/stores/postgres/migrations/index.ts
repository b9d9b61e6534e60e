import core from "./001-core.js";
import cluster from "./002-cluster.js";
import clusterWork from "./003-cluster-work.js";
import ownershipHistory from "./004-ownership-history.js";
import timeEvents from "./005-time-events.js";
import threads from "./006-threads.js";
import schedules from "./007-schedules.js";
import childRuns from "./008-child-runs.js";
import type { Migration } from "./migration.js";

/** Every migration, in order; versions are 1, 2, 3… with no gaps. */
export const MIGRATIONS: readonly Migration[] = [
  core,
  cluster,
  clusterWork,
  ownershipHistory,
  timeEvents,
  threads,
  schedules,
  childRuns,
];

export type { Migration };
