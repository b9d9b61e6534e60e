import type { Database } from "better-sqlite3";
import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
  ScheduleRecord,
} from "../../../schedules/schedule.js";
import { type ScheduleRow, scheduleFromRow } from "../../schedule-row.js";
import { fromJson, toJson } from "../json.js";

/**
 * Schedules: create (idempotent on the name), read, patch, delete, and the tick pass's
 * compare-and-set on `next_at`. Each is one statement, so each is atomic among processes.
 */
export function scheduleStatements(db: Database) {
  const insert = db.prepare(
    `INSERT INTO schedules (name, workflow, cron, tz, input, overlap, catch_up, paused, next_at, created_by,
       created_at, updated_at)
     VALUES (@name, @workflow, @cron, @tz, @input, @overlap, @catchUp, @paused, @nextAt, @createdBy, @now, @now)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
  );
  const select = db.prepare("SELECT * FROM schedules WHERE name = ?");
  const all = db.prepare("SELECT * FROM schedules ORDER BY name");
  const due = db.prepare("SELECT * FROM schedules WHERE paused = 0 AND next_at <= ? ORDER BY next_at, name");
  // A patch field left NULL keeps the column: patches only ever set values.
  const update = db.prepare(
    `UPDATE schedules SET
       paused = coalesce(@paused, paused),
       next_at = coalesce(@nextAt, next_at),
       last_run_id = coalesce(@lastRunId, last_run_id),
       updated_at = @now
     WHERE name = @name RETURNING *`,
  );
  const remove = db.prepare("DELETE FROM schedules WHERE name = ?");
  const ticked = db.prepare(
    `UPDATE schedules SET
       next_at = @nextAt,
       last_tick_at = @lastTickAt,
       last_run_id = coalesce(@lastRunId, last_run_id),
       last_skip = coalesce(@lastSkip, last_skip),
       updated_at = @now
     WHERE name = @name AND next_at = @expected`,
  );

  return {
    create(s: NewSchedule): { schedule: ScheduleRecord; created: boolean } {
      const row = insert.get({
        name: s.name,
        workflow: s.workflow,
        cron: s.cron,
        tz: s.tz,
        input: toJson(s.input),
        overlap: s.overlap,
        catchUp: s.catchUp,
        paused: s.paused ? 1 : 0,
        nextAt: s.nextAt ?? null,
        createdBy: toJson(s.createdBy),
        now: Date.now(),
      }) as ScheduleRow | undefined;
      if (row) return { schedule: rowToSchedule(row), created: true };
      return { schedule: rowToSchedule(select.get(s.name) as ScheduleRow), created: false };
    },
    get(name: string): ScheduleRecord | undefined {
      const row = select.get(name) as ScheduleRow | undefined;
      return row ? rowToSchedule(row) : undefined;
    },
    list(filter: ScheduleFilter = {}): ScheduleRecord[] {
      const rows = (filter.dueBy === undefined ? all.all() : due.all(filter.dueBy)) as ScheduleRow[];
      return rows.map(rowToSchedule);
    },
    update(name: string, patch: SchedulePatch): ScheduleRecord | undefined {
      const row = update.get({
        name,
        paused: patch.paused === undefined ? null : patch.paused ? 1 : 0,
        nextAt: patch.nextAt ?? null,
        lastRunId: patch.lastRunId ?? null,
        now: Date.now(),
      }) as ScheduleRow | undefined;
      return row ? rowToSchedule(row) : undefined;
    },
    delete(name: string): boolean {
      return remove.run(name).changes > 0;
    },
    setTicked(name: string, expected: number, advance: ScheduleAdvance): boolean {
      const result = ticked.run({
        name,
        expected,
        nextAt: advance.nextAt ?? null,
        lastTickAt: advance.lastTickAt,
        lastRunId: advance.lastRunId ?? null,
        lastSkip: toJson(advance.lastSkip),
        now: Date.now(),
      });
      return result.changes > 0;
    },
  };
}

const rowToSchedule = (row: ScheduleRow) => scheduleFromRow(row, fromJson);
