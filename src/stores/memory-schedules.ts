import type {
  NewSchedule,
  ScheduleAdvance,
  ScheduleFilter,
  SchedulePatch,
  ScheduleRecord,
} from "../schedules/schedule.js";

/** The memory store's schedules: one map, every change whole (nothing else runs between the lines). */
export class MemorySchedules {
  private readonly byName = new Map<string, ScheduleRecord>();

  async create(schedule: NewSchedule): Promise<{ schedule: ScheduleRecord; created: boolean }> {
    const existing = this.byName.get(schedule.name);
    if (existing) return { schedule: existing, created: false };
    const now = Date.now();
    const record: ScheduleRecord = { ...schedule, createdAt: now, updatedAt: now };
    this.byName.set(schedule.name, record);
    return { schedule: record, created: true };
  }

  async get(name: string): Promise<ScheduleRecord | undefined> {
    return this.byName.get(name);
  }

  async list(filter: ScheduleFilter = {}): Promise<ScheduleRecord[]> {
    const { dueBy } = filter;
    return [...this.byName.values()]
      .filter((s) => dueBy === undefined || (!s.paused && s.nextAt !== undefined && s.nextAt <= dueBy))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async update(name: string, patch: SchedulePatch): Promise<ScheduleRecord | undefined> {
    const s = this.byName.get(name);
    if (!s) return undefined;
    const next: ScheduleRecord = { ...s, ...patch, updatedAt: Date.now() };
    this.byName.set(name, next);
    return next;
  }

  async delete(name: string): Promise<boolean> {
    return this.byName.delete(name);
  }

  async setTicked(name: string, expectedNextAt: number, advance: ScheduleAdvance): Promise<boolean> {
    const s = this.byName.get(name);
    if (s?.nextAt !== expectedNextAt) return false;
    const { nextAt: _old, ...rest } = s;
    this.byName.set(name, {
      ...rest,
      ...(advance.nextAt !== undefined ? { nextAt: advance.nextAt } : {}),
      lastTickAt: advance.lastTickAt,
      ...(advance.lastRunId !== undefined ? { lastRunId: advance.lastRunId } : {}),
      ...(advance.lastSkip !== undefined ? { lastSkip: advance.lastSkip } : {}),
      updatedAt: Date.now(),
    });
    return true;
  }
}
