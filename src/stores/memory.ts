import type {
  Checkpoint,
  CompensationRecord,
  NewRun,
  RunPatch,
  RunRecord,
  TaskRecord,
} from "../engine/records.js";
import type { RunFilter, Store } from "../engine/store.js";
import { compareTaskIds } from "../engine/writes.js";

/** Keeps runs in this process only: for tests and for runs that need no durability. */
export class MemoryStore implements Store {
  readonly local = true;
  /** Every write takes effect when it is called: call order is kept. */
  readonly ordersWrites = true;
  private readonly runs = new Map<string, RunRecord>();
  private readonly tasks = new Map<string, Map<string, TaskRecord>>();
  private readonly checkpoints = new Map<string, Checkpoint[]>();
  private readonly compensations = new Map<string, Map<string, CompensationRecord>>();

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const existing = this.runs.get(run.id);
    if (existing) return { run: existing, created: false };
    const now = Date.now();
    const record: RunRecord = {
      ...run,
      queue: run.queue ?? "default",
      step: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.runs.set(run.id, record);
    return { run: record, created: true };
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
        (r) => (!statuses || statuses.includes(r.status)) && (!filter.graph || r.graph === filter.graph),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, filter.limit ?? 100);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return;
    const { clear, ...fields } = patch;
    const next: Record<string, unknown> = { ...run, ...fields, updatedAt: Date.now() };
    for (const key of clear ?? []) if (!(key in fields)) delete next[key];
    this.runs.set(runId, next as unknown as RunRecord);
  }

  async putTask(record: TaskRecord): Promise<void> {
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

  async putCompensation(record: CompensationRecord): Promise<void> {
    const map = this.compensations.get(record.runId) ?? new Map<string, CompensationRecord>();
    this.compensations.set(record.runId, map);
    map.set(record.taskKey, record);
  }

  async listCompensations(runId: string): Promise<CompensationRecord[]> {
    return [...(this.compensations.get(runId)?.values() ?? [])];
  }

  async close(): Promise<void> {}
}
