import type { CronPlan } from "./cron.js";

/**
 * A tick this much behind the clock counts as missed (nothing was running when it came), not as
 * late: a runner's pass every second or two, a GC pause, a busy machine stay well inside it.
 */
export const MISSED_AFTER_MS = 5_000;

/** Missed ticks are counted one by one up to this many, so a long downtime costs a bounded pass. */
export const MISSED_COUNT_CAP = 1_000;

/** What one pass does with a schedule's due ticks. */
export interface TickPlan {
  /** Ticks that start a run (overlap permitting), oldest first: caught-up missed ticks, then on-time ones. */
  readonly start: readonly number[];
  /** Missed ticks catch-up leaves out: the latest of them and how many (up to `MISSED_COUNT_CAP`). */
  readonly missed?: { readonly latest: number; readonly count: number };
  /** The latest tick at or before now. */
  readonly lastTickAt: number;
  /** The first tick after now; undefined when the expression has no more. */
  readonly nextAt?: number;
}

/**
 * Which of the ticks from `nextAt` (the first not yet handled) up to `now` start a run: every tick
 * less than `missedAfterMs` old, and of the older (missed) ones the latest `catchUp`. Undefined
 * when no tick is due.
 */
export function planTicks(
  plan: CronPlan,
  schedule: { readonly nextAt?: number; readonly catchUp: number },
  now: number,
  missedAfterMs = MISSED_AFTER_MS,
): TickPlan | undefined {
  const first = schedule.nextAt;
  if (first === undefined || first > now) return undefined;
  const onTimeFrom = now - missedAfterMs;
  const onTime = ticksFrom(plan, first >= onTimeFrom ? first : plan.after(onTimeFrom - 1), now);
  let caughtUp: number[] = [];
  let missed: TickPlan["missed"];
  if (first < onTimeFrom) {
    // Latest first; one more than catch-up tells whether any missed tick is left out.
    const latest = plan.latestBefore(schedule.catchUp + 1, onTimeFrom).filter((t) => t >= first);
    caughtUp = latest.slice(0, schedule.catchUp).reverse();
    const left = latest[schedule.catchUp];
    if (left !== undefined) missed = { latest: left, count: countTicks(plan, first, left) };
  }
  const start = [...caughtUp, ...onTime];
  const lastTickAt = start.at(-1) ?? missed?.latest ?? first;
  const nextAt = plan.after(now);
  return { start, ...(missed ? { missed } : {}), lastTickAt, ...(nextAt !== undefined ? { nextAt } : {}) };
}

/** The ticks from `from` (a tick itself) up to `to`, inclusive. */
function ticksFrom(plan: CronPlan, from: number | undefined, to: number): number[] {
  const ticks: number[] = [];
  for (let t = from; t !== undefined && t <= to; t = plan.after(t)) ticks.push(t);
  return ticks;
}

/** How many ticks from `from` to `to` (both ticks), counted up to the cap. */
function countTicks(plan: CronPlan, from: number, to: number): number {
  let count = 1;
  for (let t = plan.after(from); t !== undefined && t <= to && count < MISSED_COUNT_CAP; t = plan.after(t))
    count++;
  return count;
}
