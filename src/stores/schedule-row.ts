import type { Actor } from "../engine/history.js";
import type { OverlapPolicy, ScheduleRecord, ScheduleSkip } from "../schedules/schedule.js";

/** A `schedules` row as SQLite and PostgreSQL return it: JSON as text, times as epoch ms. */
export interface ScheduleRow {
  name: string;
  workflow: string;
  cron: string;
  tz: string;
  input: string | null;
  overlap: OverlapPolicy;
  catch_up: number;
  /** PostgreSQL's boolean, SQLite's 0 or 1. */
  paused: boolean | number;
  next_at: number | null;
  last_tick_at: number | null;
  last_run_id: string | null;
  last_skip: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** The record of a row; SQL NULLs become absent fields, as the memory store keeps them. */
export function scheduleFromRow(row: ScheduleRow, json: (text: string | null) => unknown): ScheduleRecord {
  const lastSkip = json(row.last_skip) as ScheduleSkip | undefined;
  const createdBy = json(row.created_by) as Actor | undefined;
  return {
    name: row.name,
    workflow: row.workflow,
    cron: row.cron,
    tz: row.tz,
    input: json(row.input),
    overlap: row.overlap,
    catchUp: row.catch_up,
    paused: Boolean(row.paused),
    ...(row.next_at !== null ? { nextAt: row.next_at } : {}),
    ...(row.last_tick_at !== null ? { lastTickAt: row.last_tick_at } : {}),
    ...(row.last_run_id !== null ? { lastRunId: row.last_run_id } : {}),
    ...(lastSkip ? { lastSkip } : {}),
    ...(createdBy ? { createdBy } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
