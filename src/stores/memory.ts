import type { HistoryEvent, HistoryPage, NewHistoryEvent } from "../engine/history.js";
import type {
  AcquireResult,
  Checkpoint,
  CompensationRecord,
  LeaseRequest,
  NewRun,
  RunOwner,
  RunPatch,
  RunRecord,
  TaskRecord,
} from "../engine/records.js";
import { stopsRun } from "../engine/records.js";
import { type RunSearch, type RunSearchPage, searchRecords } from "../engine/run-search.js";
import type { DueFilter, NewEvent, RunFilter, Store, TakenEvent } from "../engine/store.js";
import { compareTaskIds } from "../engine/writes.js";
import { isDue, refuseEvent } from "./due.js";
import { acquireTakingOverExited, thisHost } from "./liveness.js";
import { MemorySchedules } from "./memory-schedules.js";

/** Keeps runs in this process only: for tests and for runs that need no durability. */
export class MemoryStore implements Store {
  readonly local = true;
  /** Every write takes effect when it is called: call order is kept. */
  readonly ordersWrites = true;
  private readonly runs = new Map<string, RunRecord>();
  private readonly tasks = new Map<string, Map<string, TaskRecord>>();
  private readonly checkpoints = new Map<string, Checkpoint[]>();
  private readonly compensations = new Map<string, Map<string, CompensationRecord>>();
  private readonly history = new Map<string, HistoryEvent[]>();
  private readonly events = new Map<string, StoredEvent[]>();
  private seq = 0;
  private eventSeq = 0;

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const existing = this.runs.get(run.id);
    if (existing) return { run: existing, created: false };
    const now = Date.now();
    const { owner, first: _first, ...fields } = run;
    const record: RunRecord = {
      ...fields,
      queue: run.queue ?? "default",
      step: 0,
      ...(owner ? { owner: ownerOf(owner, now) } : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.runs.set(run.id, record);
    if (run.first?.task) await this.putTask(run.first.task);
    if (run.first?.checkpoint) await this.putCheckpoint(run.first.checkpoint);
    if (run.first?.history) await this.appendHistory(run.first.history);
    return { run: this.runs.get(run.id)!, created: true };
  }

  acquireRun(runId: string, request: LeaseRequest, replace?: string): Promise<AcquireResult> {
    return acquireTakingOverExited((r) => this.acquire(runId, request, r), replace);
  }

  private acquire(runId: string, request: LeaseRequest, replace: string | undefined): AcquireResult {
    const run = this.runs.get(runId);
    if (!run) return { acquired: false, missing: true };
    const now = Date.now();
    const holder = run.owner;
    const free = !holder || holder.expiresAt <= now || holder.id === request.id || holder.id === replace;
    if (!free) return { acquired: false, holder };
    const owner =
      holder?.id === request.id ? { ...holder, expiresAt: now + request.leaseMs } : ownerOf(request, now);
    this.runs.set(runId, { ...run, owner });
    return holder && holder.id !== request.id
      ? { acquired: true, owner, previous: holder }
      : { acquired: true, owner };
  }

  async heartbeat(ownerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]> {
    const now = Date.now();
    return runIds.filter((id) => {
      const run = this.runs.get(id);
      if (run?.owner?.id !== ownerId || run.owner.expiresAt <= now) return false;
      this.runs.set(id, { ...run, owner: { ...run.owner, expiresAt: now + leaseMs } });
      return true;
    });
  }

  async releaseRun(ownerId: string, runId: string): Promise<boolean> {
    const run = this.runs.get(runId);
    if (run?.owner?.id !== ownerId) return false;
    const { owner: _released, ...rest } = run;
    this.runs.set(runId, rest);
    return true;
  }

  async appendHistory(events: readonly NewHistoryEvent[]): Promise<void> {
    for (const event of events) {
      let list = this.history.get(event.runId);
      if (!list) {
        list = [];
        this.history.set(event.runId, list);
      }
      list.push({ ...event, seq: ++this.seq });
    }
  }

  async listHistory(runId: string, page: HistoryPage = {}): Promise<HistoryEvent[]> {
    const after = page.after ?? 0;
    return (this.history.get(runId) ?? []).filter((e) => e.seq > after).slice(0, page.limit ?? 1000);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.runs.get(runId);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
    // Reversed insertion order first, so runs created in the same millisecond list newest first too.
    return [...this.runs.values()]
      .reverse()
      .filter(
        (r) =>
          (!statuses || statuses.includes(r.status)) &&
          (!filter.graph || r.graph === filter.graph) &&
          (!filter.parent || r.parent?.runId === filter.parent) &&
          (!filter.thread || r.thread === filter.thread),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, filter.limit ?? 100);
  }

  async searchRuns(search: RunSearch): Promise<RunSearchPage> {
    return searchRecords([...this.runs.values()].reverse(), search);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return;
    const { clear, ...fields } = patch;
    const next: Record<string, unknown> = { ...run, ...fields, updatedAt: Date.now() };
    for (const key of clear ?? []) if (!(key in fields)) delete next[key];
    // A status that stops the run ends its lease in the same write.
    if (fields.status !== undefined && stopsRun(fields.status)) delete next.owner;
    this.runs.set(runId, next as unknown as RunRecord);
  }

  async putTask(record: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
    if (history) await this.appendHistory(history);
    let tasks = this.tasks.get(record.runId);
    if (!tasks) {
      tasks = new Map();
      this.tasks.set(record.runId, tasks);
    }
    tasks.set(`${record.step}:${record.taskId}`, record);
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return [...(this.tasks.get(runId)?.values() ?? [])].sort(
      (a, b) => a.step - b.step || compareTaskIds(a.taskId, b.taskId),
    );
  }

  async putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const list = this.checkpoints.get(checkpoint.runId) ?? [];
    this.checkpoints.set(checkpoint.runId, list);
    const i = list.findIndex((c) => c.step === checkpoint.step);
    if (i >= 0) list[i] = checkpoint;
    else list.push(checkpoint);
    const run = this.runs.get(checkpoint.runId);
    if (run) this.runs.set(run.id, { ...run, step: checkpoint.step, updatedAt: Date.now() });
  }

  async listCheckpoints(runId: string): Promise<Checkpoint[]> {
    return [...(this.checkpoints.get(runId) ?? [])].sort((a, b) => a.step - b.step);
  }

  async listDue(now: number, filter: DueFilter = {}): Promise<RunRecord[]> {
    const runs = filter.runId
      ? [this.runs.get(filter.runId)].filter((r) => r !== undefined)
      : this.runs.values();
    const due: RunRecord[] = [];
    for (const run of runs) {
      const free = !run.owner || run.owner.expiresAt <= now;
      const waitedFor = (this.events.get(run.id) ?? []).filter((e) => !e.consumer).map((e) => e.name);
      if (free && isDue(run, now, waitedFor)) due.push(run);
    }
    return due.sort((a, b) => (a.wakeAt ?? 0) - (b.wakeAt ?? 0)).slice(0, filter.limit ?? 100);
  }

  async sendEvent(event: NewEvent): Promise<number> {
    refuseEvent(event.runId, this.runs.get(event.runId));
    const list = this.events.get(event.runId) ?? [];
    this.events.set(event.runId, list);
    const seq = ++this.eventSeq;
    list.push({ seq, name: event.name, payload: event.payload, sentAt: Date.now() });
    return seq;
  }

  async takeEvent(
    runId: string,
    name: string,
    consumer: string,
    timedOut: boolean,
  ): Promise<TakenEvent | undefined> {
    const list = this.events.get(runId) ?? [];
    this.events.set(runId, list);
    const taken =
      list.find((e) => e.consumer === consumer) ?? list.find((e) => !e.consumer && e.name === name);
    if (taken) {
      const fresh = taken.consumer === undefined ? ({ fresh: true } as const) : {};
      taken.consumer = consumer;
      if (taken.timeout) return { kind: "timeout", at: taken.sentAt, ...fresh };
      return { kind: "event", seq: taken.seq, payload: taken.payload, sentAt: taken.sentAt, ...fresh };
    }
    if (!timedOut) return undefined;
    const at = Date.now();
    list.push({ seq: ++this.eventSeq, name, payload: undefined, sentAt: at, consumer, timeout: true });
    return { kind: "timeout", at, fresh: true };
  }

  async putCompensation(record: CompensationRecord): Promise<void> {
    const map = this.compensations.get(record.runId) ?? new Map<string, CompensationRecord>();
    this.compensations.set(record.runId, map);
    map.set(record.taskKey, record);
  }

  async listCompensations(runId: string): Promise<CompensationRecord[]> {
    return [...(this.compensations.get(runId)?.values() ?? [])];
  }

  private readonly schedules = new MemorySchedules();
  createSchedule = this.schedules.create.bind(this.schedules);
  getSchedule = this.schedules.get.bind(this.schedules);
  listSchedules = this.schedules.list.bind(this.schedules);
  updateSchedule = this.schedules.update.bind(this.schedules);
  deleteSchedule = this.schedules.delete.bind(this.schedules);
  setScheduleTicked = this.schedules.setTicked.bind(this.schedules);

  async close(): Promise<void> {}
}

interface StoredEvent {
  readonly seq: number;
  readonly name: string;
  readonly payload: unknown;
  readonly sentAt: number;
  consumer?: string;
  /** A wait's timeout, kept under its consumer so the wait never takes a later event. */
  readonly timeout?: true;
}

function ownerOf(request: LeaseRequest, now: number): RunOwner {
  return { id: request.id, host: thisHost(), pid: process.pid, since: now, expiresAt: now + request.leaseMs };
}
