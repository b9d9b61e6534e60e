import { type RunRecord, TERMINAL_STATUSES } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import { type CronPlan, cronPlan } from "./cron.js";
import { MISSED_AFTER_MS, planTicks } from "./plan-ticks.js";
import { tickRunId } from "./run-ids.js";
import type { ScheduleRecord, ScheduleSkip, SkipReason } from "./schedule.js";
import type { WorkflowLookup } from "./workflow-ref.js";

export interface TickOptions {
  readonly store: Store;
  /** Finds a schedule's workflow when one of its ticks starts a run. */
  readonly workflow: WorkflowLookup;
  /** The clock (epoch ms); default now. */
  readonly now?: number;
  /** A tick older than this counts as missed (see `MISSED_AFTER_MS`). */
  readonly missedAfterMs?: number;
}

export interface StartedTick {
  readonly schedule: string;
  /** The tick time, ISO 8601. */
  readonly tick: string;
  readonly runId: string;
  /** False: the run existed already (another process, or a pass that crashed before moving on). */
  readonly created: boolean;
}

export interface SkippedTick {
  readonly schedule: string;
  /** The tick, or for missed ticks the latest of those skipped. */
  readonly tick: string;
  readonly reason: SkipReason;
  /** How many ticks this entry stands for (missed ones counted up to a cap). */
  readonly count: number;
}

/** What one pass did. */
export interface TickReport {
  readonly started: readonly StartedTick[];
  readonly skipped: readonly SkippedTick[];
  /** Schedules whose ticks could not start (their workflow is unknown, the store failed): tried again next pass. */
  readonly failed: readonly { readonly schedule: string; readonly error: string }[];
  /** Schedules another process moved on first; any runs this pass made for them are the same ticks' runs. */
  readonly raced: readonly string[];
}

/**
 * Start the runs of every due schedule tick, once each, whatever the number of processes calling
 * this at once. For each schedule whose next tick has come: create its ticks' runs first (`pending`,
 * due at the tick; the id `<schedule>:<tick>` makes a second creation return the first), then move
 * the schedule's next tick on with a compare-and-set. A crash between the two loses no tick (the
 * next pass finds the runs and moves on); of two processes, one moves it and neither starts a
 * tick twice. Missed ticks follow the schedule's catch-up, an unfinished previous run its overlap.
 */
export async function tickSchedules(options: TickOptions): Promise<TickReport> {
  const { store } = options;
  const now = options.now ?? Date.now();
  const report: Report = { started: [], skipped: [], failed: [], raced: [] };
  for (const schedule of await store.listSchedules({ dueBy: now })) {
    try {
      await tickOne(schedule, options, now, report);
    } catch (error) {
      report.failed.push({
        schedule: schedule.name,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return report;
}

type Report = { [K in keyof TickReport]: TickReport[K][number][] };

async function tickOne(schedule: ScheduleRecord, options: TickOptions, now: number, report: Report) {
  const { store } = options;
  const expected = schedule.nextAt;
  const cron = cronPlan(schedule.cron, schedule.tz);
  const plan = planTicks(cron, schedule, now, options.missedAfterMs ?? MISSED_AFTER_MS);
  if (!plan || expected === undefined) return;
  const iso = (t: number) => new Date(t).toISOString();
  let lastSkip: ScheduleSkip | undefined;
  if (plan.missed) {
    lastSkip = { tick: plan.missed.latest, reason: "missed", count: plan.missed.count };
    report.skipped.push({
      schedule: schedule.name,
      tick: iso(plan.missed.latest),
      reason: "missed",
      count: plan.missed.count,
    });
  }
  let previous = schedule.overlap === "skip" ? await previousRuns(store, schedule, cron, plan.start) : [];
  let lastRunId: string | undefined;
  let workflow: { name: string; hash: string } | undefined;
  for (const tick of plan.start) {
    const runId = tickRunId(schedule.name, tick);
    // Started already (by another process, or by a pass that crashed before moving on): keep it.
    let run = await store.getRun(runId);
    let created = false;
    if (!run) {
      if (schedule.overlap === "skip" && previous.some(unfinished)) {
        lastSkip = { tick, reason: "overlap", count: 1 };
        report.skipped.push({ schedule: schedule.name, tick: iso(tick), reason: "overlap", count: 1 });
        continue;
      }
      workflow ??= await options.workflow(schedule.workflow);
      ({ run, created } = await store.createRun({
        id: runId,
        graph: workflow.name,
        graphHash: workflow.hash,
        status: "pending",
        input: schedule.input,
        wakeAt: tick,
        createdBy: { via: "schedule", who: schedule.name },
      }));
    }
    previous = [run];
    lastRunId = runId;
    report.started.push({ schedule: schedule.name, tick: iso(tick), runId, created });
  }
  const moved = await store.setScheduleTicked(schedule.name, expected, {
    ...(plan.nextAt !== undefined ? { nextAt: plan.nextAt } : {}),
    lastTickAt: plan.lastTickAt,
    ...(lastRunId ? { lastRunId } : {}),
    ...(lastSkip ? { lastSkip } : {}),
  });
  if (!moved) report.raced.push(schedule.name);
}

/**
 * The runs an overlap check looks at: the schedule's last run, and the run of the tick just before
 * this pass's first, which a racing process may have started after this one read the schedule.
 */
async function previousRuns(
  store: Store,
  schedule: ScheduleRecord,
  cron: CronPlan,
  ticks: readonly number[],
): Promise<RunRecord[]> {
  const before = ticks[0] === undefined ? undefined : cron.latestBefore(1, ticks[0])[0];
  const ids = new Set([
    schedule.lastRunId,
    before === undefined ? undefined : tickRunId(schedule.name, before),
  ]);
  const runs = await Promise.all([...ids].map((id) => (id ? store.getRun(id) : undefined)));
  return runs.filter((r) => r !== undefined);
}

/** A run that has not finished yet: pending, running, sleeping, waiting, interrupted, compensating. */
const unfinished = (run: RunRecord) => !TERMINAL_STATUSES.has(run.status);
