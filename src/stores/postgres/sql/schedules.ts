import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
  ScheduleRecord,
} from "../../../schedules/schedule.js";
import { type ScheduleRow, scheduleFromRow } from "../../schedule-row.js";
import { type Db, ms, NOW_MS, query, ts } from "../db.js";
import { fromJsonText, toJsonText } from "../json-codec.js";

const COLUMNS = [
  "name, workflow, cron, tz, input::text AS input, overlap, catch_up, paused",
  ms("next_at", "next_at"),
  ms("last_tick_at", "last_tick_at"),
  "last_run_id, last_skip::text AS last_skip, created_by::text AS created_by",
  ms("created_at", "created_at"),
  ms("updated_at", "updated_at"),
].join(", ");

/**
 * Schedules: one statement per operation, each atomic among workers. `setScheduleTicked` is the
 * tick pass's compare-and-set on `next_at` (see migration 007).
 */
export async function createSchedule(
  db: Db,
  s: NewSchedule,
): Promise<{ schedule: ScheduleRecord; created: boolean }> {
  const inserted = await query<ScheduleRow>(
    db.pool,
    "createSchedule",
    `INSERT INTO ${db.schema}.schedules
       (name, workflow, cron, tz, input, overlap, catch_up, paused, next_at, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, ${ts("$9")}, $10::jsonb, ${NOW_MS}, ${NOW_MS})
     ON CONFLICT (name) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      s.name,
      s.workflow,
      s.cron,
      s.tz,
      toJsonText(s.input),
      s.overlap,
      s.catchUp,
      s.paused,
      s.nextAt ?? null,
      toJsonText(s.createdBy),
    ],
  );
  if (inserted[0]) return { schedule: rowToSchedule(inserted[0]), created: true };
  // A fresh statement's snapshot sees the row a concurrent insert committed.
  return { schedule: (await getSchedule(db, s.name))!, created: false };
}

export async function getSchedule(db: Db, name: string): Promise<ScheduleRecord | undefined> {
  const rows = await query<ScheduleRow>(
    db.pool,
    "getSchedule",
    `SELECT ${COLUMNS} FROM ${db.schema}.schedules WHERE name = $1`,
    [name],
  );
  return rows[0] ? rowToSchedule(rows[0]) : undefined;
}

export async function listSchedules(db: Db, filter: ScheduleFilter = {}): Promise<ScheduleRecord[]> {
  const rows =
    filter.dueBy === undefined
      ? await query<ScheduleRow>(
          db.pool,
          "listSchedules",
          `SELECT ${COLUMNS} FROM ${db.schema}.schedules ORDER BY name COLLATE "C"`,
        )
      : await query<ScheduleRow>(
          db.pool,
          "listSchedules",
          `SELECT ${COLUMNS} FROM ${db.schema}.schedules
           WHERE NOT paused AND next_at <= ${ts("$1")} ORDER BY next_at, name COLLATE "C"`,
          [filter.dueBy],
        );
  return rows.map(rowToSchedule);
}

export async function updateSchedule(
  db: Db,
  name: string,
  patch: SchedulePatch,
): Promise<ScheduleRecord | undefined> {
  const rows = await query<ScheduleRow>(
    db.pool,
    "updateSchedule",
    `UPDATE ${db.schema}.schedules SET
       paused = coalesce($2, paused),
       next_at = coalesce(${ts("$3")}, next_at),
       last_run_id = coalesce($4, last_run_id),
       updated_at = ${NOW_MS}
     WHERE name = $1
     RETURNING ${COLUMNS}`,
    [name, patch.paused ?? null, patch.nextAt ?? null, patch.lastRunId ?? null],
  );
  return rows[0] ? rowToSchedule(rows[0]) : undefined;
}

export async function deleteSchedule(db: Db, name: string): Promise<boolean> {
  const rows = await query<{ name: string }>(
    db.pool,
    "deleteSchedule",
    `DELETE FROM ${db.schema}.schedules WHERE name = $1 RETURNING name`,
    [name],
  );
  return rows.length > 0;
}

export async function setScheduleTicked(
  db: Db,
  name: string,
  expected: number,
  advance: ScheduleAdvance,
): Promise<boolean> {
  const rows = await query<{ name: string }>(
    db.pool,
    "setScheduleTicked",
    `UPDATE ${db.schema}.schedules SET
       next_at = ${ts("$3")},
       last_tick_at = ${ts("$4")},
       last_run_id = coalesce($5, last_run_id),
       last_skip = coalesce($6::jsonb, last_skip),
       updated_at = ${NOW_MS}
     WHERE name = $1 AND next_at = ${ts("$2")}
     RETURNING name`,
    [
      name,
      expected,
      advance.nextAt ?? null,
      advance.lastTickAt,
      advance.lastRunId ?? null,
      toJsonText(advance.lastSkip),
    ],
  );
  return rows.length > 0;
}

const rowToSchedule = (row: ScheduleRow) => scheduleFromRow(row, fromJsonText);
