/**
 * The ids of a schedule's runs. A tick's id is fixed by the schedule and the tick time, so every
 * process that handles the tick creates the same run, and `createRun` (idempotent on the id)
 * keeps exactly one.
 */
export const tickRunId = (schedule: string, tick: number): string =>
  `${schedule}:${new Date(tick).toISOString()}`;

/** A run started by hand (`trigger`): its own id, never one a tick could take. */
export const manualRunId = (schedule: string, at: number): string =>
  `${schedule}:manual:${new Date(at).toISOString()}`;
