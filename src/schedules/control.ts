import type { Store } from "../engine/store.js";
import { BatonError } from "../errors.js";
import { cronPlan } from "./cron.js";
import type { ScheduleRecord } from "./schedule.js";

/** The schedule of that name, or `SCHEDULE_NOT_FOUND` naming it. */
export async function requireSchedule(store: Store, name: string): Promise<ScheduleRecord> {
  const schedule = await store.getSchedule(name);
  if (!schedule) throw notFound(name);
  return schedule;
}

/** Stop starting runs (ticks pass by unhandled); the runs already started carry on. */
export async function pauseSchedule(store: Store, name: string): Promise<ScheduleRecord> {
  const schedule = await store.updateSchedule(name, { paused: true });
  if (!schedule) throw notFound(name);
  return schedule;
}

/**
 * Start runs again from the next tick after now: ticks that came while it was paused are not
 * caught up (pausing said not to run them). Resuming a schedule that is not paused changes nothing.
 */
export async function resumeSchedule(
  store: Store,
  name: string,
  options: { now?: number } = {},
): Promise<ScheduleRecord> {
  const current = await requireSchedule(store, name);
  if (!current.paused) return current;
  const nextAt = cronPlan(current.cron, current.tz).after(options.now ?? Date.now());
  const schedule = await store.updateSchedule(name, {
    paused: false,
    ...(nextAt !== undefined ? { nextAt } : {}),
  });
  if (!schedule) throw notFound(name);
  return schedule;
}

/** Remove the schedule; the runs it started stay. */
export async function deleteSchedule(store: Store, name: string): Promise<void> {
  if (!(await store.deleteSchedule(name))) throw notFound(name);
}

const notFound = (name: string) => new BatonError("SCHEDULE_NOT_FOUND", `No schedule named "${name}"`);
