import type { Actor } from "../engine/history.js";
import { validateInput } from "../engine/input.js";
import type { Store } from "../engine/store.js";
import { BatonError } from "../errors.js";
import { cronPlan } from "./cron.js";
import {
  DEFAULT_CATCH_UP,
  DEFAULT_OVERLAP,
  DEFAULT_TIME_ZONE,
  type OverlapPolicy,
  type ScheduleRecord,
} from "./schedule.js";
import { checkCatchUp, checkOverlap, checkScheduleName } from "./validate.js";
import type { ScheduledWorkflow } from "./workflow-ref.js";

export interface AddScheduleOptions {
  /** Unique; letters, digits, `.`, `_`, `-`. Runs are named `<name>:<tick time>`. */
  readonly name: string;
  /** The workflow each tick runs (a compiled graph). */
  readonly workflow: ScheduledWorkflow;
  /** Five fields (minute hour day month weekday), six (seconds first) or a nickname (`@daily`). */
  readonly cron: string;
  /** IANA time zone the expression is read in; default UTC. */
  readonly tz?: string;
  /** Each run's input, checked against the workflow's state now. */
  readonly input?: unknown;
  /** A tick while the previous run is unfinished: `skip` (default) or `allow`. */
  readonly overlap?: OverlapPolicy;
  /** Of the ticks missed while nothing ran due work, start the latest this many (default 1). */
  readonly catchUp?: number;
  /** Store it paused: no tick starts a run until it is resumed. */
  readonly paused?: boolean;
  readonly by?: Actor;
  /** The clock (epoch ms): the first tick is the first after it. */
  readonly now?: number;
}

/**
 * Add a schedule. Everything is checked before anything is stored: the name, the expression and
 * the time zone (each named when wrong), the policies, and the input against the workflow's state.
 * The first tick is the first after now. A name already taken is refused (`SCHEDULE_EXISTS`).
 */
export async function addSchedule(store: Store, options: AddScheduleOptions): Promise<ScheduleRecord> {
  const { name, workflow } = options;
  checkScheduleName(name);
  const plan = cronPlan(options.cron, options.tz ?? DEFAULT_TIME_ZONE);
  const overlap = checkOverlap(options.overlap ?? DEFAULT_OVERLAP);
  const catchUp = checkCatchUp(options.catchUp ?? DEFAULT_CATCH_UP);
  validateInput(workflow.definition, options.input);
  const nextAt = plan.after(options.now ?? Date.now());
  if (nextAt === undefined)
    throw new BatonError("SCHEDULE_INVALID", `The cron expression "${options.cron}" never fires from now on`);
  const { schedule, created } = await store.createSchedule({
    name,
    workflow: workflow.name,
    cron: plan.cron,
    tz: plan.tz,
    input: options.input,
    overlap,
    catchUp,
    paused: options.paused ?? false,
    nextAt,
    ...(options.by ? { createdBy: options.by } : {}),
  });
  if (!created)
    throw new BatonError(
      "SCHEDULE_EXISTS",
      `A schedule named "${name}" exists already (workflow ${schedule.workflow}, cron "${schedule.cron}"): delete it first or pick another name`,
    );
  return schedule;
}
