import type { Actor } from "../engine/history.js";
import type { RunStatus } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import type { ScheduleRecord, SkipReason } from "./schedule.js";

/**
 * A schedule as operators read it (`baton schedule list --json`, `GET /api/schedules`, the
 * dashboard): times as ISO 8601, and its last run with that run's status now.
 */
export interface ScheduleView
  extends Pick<
    ScheduleRecord,
    "name" | "workflow" | "cron" | "tz" | "input" | "overlap" | "catchUp" | "paused"
  > {
  /** The next tick that starts a run (when not paused); null when the expression has no more. */
  readonly nextAt: string | null;
  /** The latest tick handled, whether it started a run or was skipped. */
  readonly lastTickAt: string | null;
  /** The run the latest started tick (or trigger) created; `status` null when that run is gone. */
  readonly lastRun: { readonly id: string; readonly status: RunStatus | null } | null;
  /** The latest skipped ticks: the latest tick, why, and how many. */
  readonly lastSkip: { readonly tick: string; readonly reason: SkipReason; readonly count: number } | null;
  readonly createdBy: Actor | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function scheduleView(store: Store, s: ScheduleRecord): Promise<ScheduleView> {
  const last = s.lastRunId ? await store.getRun(s.lastRunId) : undefined;
  return {
    name: s.name,
    workflow: s.workflow,
    cron: s.cron,
    tz: s.tz,
    input: s.input ?? null,
    overlap: s.overlap,
    catchUp: s.catchUp,
    paused: s.paused,
    nextAt: iso(s.nextAt),
    lastTickAt: iso(s.lastTickAt),
    lastRun: s.lastRunId ? { id: s.lastRunId, status: last?.status ?? null } : null,
    lastSkip: s.lastSkip
      ? { tick: iso(s.lastSkip.tick)!, reason: s.lastSkip.reason, count: s.lastSkip.count }
      : null,
    createdBy: s.createdBy ?? null,
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
  };
}

/** Every schedule by name, as operators read them. */
export async function listSchedules(store: Store): Promise<ScheduleView[]> {
  return Promise.all((await store.listSchedules()).map((s) => scheduleView(store, s)));
}
