import type { Actor } from "../engine/history.js";

/**
 * What a schedule does when a tick comes while the run of its previous tick is unfinished:
 * `skip` starts nothing (the tick is recorded as skipped), `allow` starts another run beside it.
 */
export type OverlapPolicy = "skip" | "allow";

export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ["skip", "allow"];

/** Defaults: never two runs of one schedule at once; after downtime, run the latest missed tick. */
export const DEFAULT_OVERLAP: OverlapPolicy = "skip";
export const DEFAULT_CATCH_UP = 1;
/** The most missed ticks a schedule may catch up at once. */
export const MAX_CATCH_UP = 1000;
/** Ticks of schedules without `--tz` are read in UTC: the same on every machine. */
export const DEFAULT_TIME_ZONE = "UTC";

/** Why a tick started no run: the previous run was unfinished, or the tick was missed (downtime). */
export type SkipReason = "overlap" | "missed";

/** The latest ticks a pass skipped: the latest of them, why, and how many (missed ticks, capped). */
export interface ScheduleSkip {
  readonly tick: number;
  readonly reason: SkipReason;
  readonly count: number;
}

/** A schedule as stored: a workflow started on the ticks of a cron expression. */
export interface ScheduleRecord {
  /** Unique; starts the ids of the schedule's runs (`<name>:<tick time>`). */
  readonly name: string;
  /** The workflow's graph name (as runs record it). */
  readonly workflow: string;
  readonly cron: string;
  /** IANA time zone the expression is read in. */
  readonly tz: string;
  /** Each run's input, checked against the workflow's state when the schedule was added. */
  readonly input: unknown;
  readonly overlap: OverlapPolicy;
  /** How many of the ticks missed during downtime start a run (the latest ones). */
  readonly catchUp: number;
  readonly paused: boolean;
  /** The next tick not yet handled (epoch ms); unset when the expression has no more ticks. */
  readonly nextAt?: number;
  /** The latest tick handled, whether it started a run or not. */
  readonly lastTickAt?: number;
  /** The run the latest started tick (or `trigger`) created. */
  readonly lastRunId?: string;
  readonly lastSkip?: ScheduleSkip;
  readonly createdBy?: Actor;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A schedule to store; the store sets the times. */
export type NewSchedule = Omit<
  ScheduleRecord,
  "createdAt" | "updatedAt" | "lastTickAt" | "lastRunId" | "lastSkip"
>;

/** An operator's change: pause or resume (with the next tick from now), or the last run (`trigger`). */
export interface SchedulePatch {
  readonly paused?: boolean;
  readonly nextAt?: number;
  readonly lastRunId?: string;
}

/** What a tick pass stores once its runs exist: where the schedule stands now. */
export interface ScheduleAdvance {
  /** The first tick after this pass; unset when there are no more. */
  readonly nextAt?: number;
  readonly lastTickAt: number;
  /** Unset: keep the one stored (this pass started nothing). */
  readonly lastRunId?: string;
  /** Unset: keep the one stored (this pass skipped nothing). */
  readonly lastSkip?: ScheduleSkip;
}

export interface ScheduleFilter {
  /** Only schedules not paused whose next tick is at or before this time (epoch ms). */
  readonly dueBy?: number;
}
