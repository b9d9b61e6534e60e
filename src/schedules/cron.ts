import { Cron } from "croner";
import { BatonError } from "../errors.js";

/**
 * The ticks of a cron expression in a time zone (croner does the calendar: ranges, steps, names,
 * `L`, `#`, daylight-saving gaps and repeats). Five fields (minute first), six (with seconds first)
 * or seven (and a year), or a nickname such as `@hourly`.
 */
export interface CronPlan {
  readonly cron: string;
  readonly tz: string;
  /** The first tick strictly after `ms`; undefined when there is none. */
  after(ms: number): number | undefined;
  /** Up to `n` ticks strictly before `ms`, latest first. */
  latestBefore(n: number, ms: number): number[];
}

/** Parse and check an expression and a zone, naming whichever is wrong. */
export function cronPlan(cron: string, tz: string): CronPlan {
  checkTimeZone(tz);
  const expression = cron.trim();
  if (expression === "") throw invalid(`The cron expression is empty`);
  let job: Cron;
  try {
    // `paused` and no callback: croner only computes, it sets no timer.
    job = new Cron(expression, { timezone: tz, paused: true });
  } catch (error) {
    throw invalid(`Bad cron expression "${cron}": ${reason(error)}`, error);
  }
  return {
    cron: expression,
    tz,
    after(ms) {
      return job.nextRun(new Date(ms))?.getTime();
    },
    latestBefore(n, ms) {
      return n <= 0 ? [] : job.previousRuns(n, new Date(ms)).map((d) => d.getTime());
    },
  };
}

/** An IANA zone this Node knows (`Europe/Paris`, `UTC`); anything else is an error naming it. */
export function checkTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw invalid(`Unknown time zone "${tz}": give an IANA name such as "Europe/Paris" or "UTC"`);
  }
}

const invalid = (message: string, cause?: unknown) =>
  new BatonError("SCHEDULE_INVALID", message, cause === undefined ? {} : { cause });

/** croner's message without its "CronPattern: " prefix. */
const reason = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/^Cron\w*: /, "");
