import initial from "./0001-initial.js";
import ownershipHistory from "./0002-ownership-history.js";
import runListIndexes from "./0003-run-list-indexes.js";
import schedules from "./0004-schedules.js";
import timeEvents from "./0005-time-events.js";
import threads from "./0006-threads.js";
import childRuns from "./0007-child-runs.js";

export interface Migration {
  /** Applied in increasing order; never renumber or edit a released migration, add a new one. */
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Every schema change, in order. Plain SQL kept in modules (not `.sql` files) so the compiled
 * package carries them without a copy step. `schema.sql` beside this folder is the result.
 */
export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: "initial", sql: initial },
  { id: 2, name: "ownership-history", sql: ownershipHistory },
  { id: 3, name: "run-list-indexes", sql: runListIndexes },
  { id: 4, name: "schedules", sql: schedules },
  { id: 5, name: "time-events", sql: timeEvents },
  { id: 6, name: "threads", sql: threads },
  { id: 7, name: "child-runs", sql: childRuns },
];
