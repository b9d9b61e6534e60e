export { type AddScheduleOptions, addSchedule } from "./add.js";
export { deleteSchedule, pauseSchedule, requireSchedule as getSchedule, resumeSchedule } from "./control.js";
export { type CronPlan, cronPlan } from "./cron.js";
export { MISSED_AFTER_MS } from "./plan-ticks.js";
export { manualRunId, tickRunId } from "./run-ids.js";
export * from "./schedule.js";
export {
  type SkippedTick,
  type StartedTick,
  type TickOptions,
  type TickReport,
  tickSchedules,
} from "./tick.js";
export { type TriggerOptions, triggerSchedule } from "./trigger.js";
export { listSchedules, type ScheduleView, scheduleView } from "./view.js";
export type { ScheduledWorkflow, WorkflowIdentity, WorkflowLookup } from "./workflow-ref.js";
