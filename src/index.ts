export type {
  ClusterWorker,
  ClusterWorkerOptions,
  WorkerEvent,
  WorkerEventListener,
  WorkerEventMap,
  WorkerEventType,
  Workflow as WorkerWorkflow,
  WorkflowSource,
} from "./cluster/index.js";
export { clusterWorker, fencedStore, LeaseLostError } from "./cluster/index.js";
export type { BreakpointOptions, Breakpoints } from "./engine/breakpoints.js";
export { ChildRunFailedError } from "./engine/child-runs.js";
export type {
  CancelOptions,
  CompiledGraph,
  CompileOptions,
  HistoryEntry,
  ResumeOptions,
  RunOptions,
  RunResult,
  RunSnapshot,
  UpdateStateOptions,
} from "./engine/compiled.js";
export { RunFailedError } from "./engine/compiled.js";
export { setDefaultStoreProvider } from "./engine/default-store.js";
export type { EventListener, EventOf, RunEvent, RunEventType } from "./engine/events.js";
export type {
  Actor,
  AttemptOutcome,
  HistoryEvent,
  HistoryPage,
  HistoryType,
  NewHistoryEvent,
  OwnerGoneReason,
  RunHistoryEntry,
} from "./engine/history.js";
export { DEFAULT_LEASE_MS, RunBusyError } from "./engine/ownership.js";
export type * from "./engine/records.js";
export { isChildRun, TERMINAL_STATUSES } from "./engine/records.js";
export type { RecoverOptions, RecoverReport, Resumable } from "./engine/recover.js";
export { recoverRuns } from "./engine/recover.js";
export { readHistory } from "./engine/run-history.js";
export { type SignalOptions, signalRun } from "./engine/signal-run.js";
export { StopReason } from "./engine/signals.js";
export type { DueFilter, NewEvent, RunFilter, Store, TakenEvent } from "./engine/store.js";
export * from "./errors.js";
export type { GraphOptions } from "./graph/builder.js";
export { StateGraph } from "./graph/builder.js";
export type { Channel, ChannelKind } from "./graph/channels.js";
export { append, reduce, value } from "./graph/channels.js";
export { Command, Send } from "./graph/commands.js";
export { END, START } from "./graph/constants.js";
export type { ChannelMap, StateDefinition, StateOf, UpdateOf } from "./graph/state.js";
export { defineState } from "./graph/state.js";
export type * from "./graph/types.js";
export { type DueRunner, type DueRunnerOptions, startDueRunner } from "./host/due-runner.js";
export * from "./mcp/index.js";
export type {
  AddScheduleOptions,
  CronPlan,
  NewSchedule,
  OverlapPolicy,
  ScheduleAdvance,
  ScheduledWorkflow,
  ScheduleFilter,
  SchedulePatch,
  ScheduleRecord,
  ScheduleSkip,
  ScheduleView,
  SkippedTick,
  SkipReason,
  StartedTick,
  TickOptions,
  TickReport,
  TriggerOptions,
  WorkflowIdentity,
  WorkflowLookup,
} from "./schedules/index.js";
export {
  addSchedule,
  cronPlan,
  DEFAULT_CATCH_UP,
  DEFAULT_OVERLAP,
  DEFAULT_TIME_ZONE,
  deleteSchedule,
  getSchedule,
  listSchedules,
  MISSED_AFTER_MS,
  pauseSchedule,
  resumeSchedule,
  scheduleView,
  tickSchedules,
  triggerSchedule,
} from "./schedules/index.js";
export { ownerGone } from "./stores/liveness.js";
export { MemoryStore } from "./stores/memory.js";
export type {
  ClaimedRun,
  ClaimedStepTask,
  ClusterStore,
  Fence,
  Lease,
  PostgresStoreOptions,
  StepProgress,
  StepTaskKey,
  StepTaskOffer,
} from "./stores/postgres/index.js";
export { isClusterStore, openPostgresStore, PostgresStore } from "./stores/postgres/index.js";
export type { Durability, SqliteStoreOptions } from "./stores/sqlite/index.js";
export { DEFAULT_DB_PATH, openSqliteStore, SqliteStore } from "./stores/sqlite/index.js";
export { ATTR, otelListener } from "./tracing/otel-listener.js";
export type { ShippedWorkflow, WorkflowContext, WorkflowExport } from "./workflows/types.js";

import { registerDefaultStore } from "./stores/default.js";

// `compile()` without a store keeps runs in `.baton/baton.db` (or `$BATON_DB`), opened on first use.
registerDefaultStore();
