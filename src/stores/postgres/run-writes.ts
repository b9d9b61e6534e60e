import type { Pool } from "pg";
import type { NewHistoryEvent } from "../../engine/history.js";
import type { Checkpoint, CompensationRecord, RunPatch, TaskRecord } from "../../engine/records.js";
import type { Fence } from "./cluster-store.js";
import { CommitLanes } from "./commit-lanes.js";
import type { Db, Statement } from "./db.js";
import { putCheckpointFencedStatement } from "./sql/fenced-put-checkpoint.js";
import { putCompensationFencedStatement } from "./sql/fenced-put-compensation.js";
import { putTaskFencedStatement } from "./sql/fenced-put-task.js";
import { updateRunFencedStatement } from "./sql/fenced-update-run.js";
import { appendHistoryStatement } from "./sql/history.js";
import { putCheckpointStatement } from "./sql/put-checkpoint.js";
import { putCompensationStatement } from "./sql/put-compensation.js";
import { putTaskStatement } from "./sql/put-task.js";
import { updateRunStatement } from "./sql/update-run.js";

/**
 * The writes the engine makes while it drives a run, each one statement, sent through the run's
 * commit lane (`CommitLanes`): the writes of one run issued together share a round trip and a
 * commit, in issue order. A fenced write resolves true when it was made under its live lease; its
 * statement returns a row only then, and the same check holds inside a shared commit, since each
 * statement of it re-reads the lease.
 */
export class RunWrites {
  private readonly lanes: CommitLanes;

  constructor(private readonly db: Db) {
    this.lanes = new CommitLanes(db.pool as Pool);
  }

  private write(runId: string, statement: Statement): Promise<void> {
    return this.lanes.write(runId, statement).then(() => undefined);
  }
  private fenced(runId: string, statement: Statement): Promise<boolean> {
    return this.lanes.write(runId, statement).then((rows) => rows.length > 0);
  }

  putTask(r: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<void> {
    return this.write(r.runId, putTaskStatement(this.db, r, history));
  }
  putCheckpoint(c: Checkpoint): Promise<void> {
    return this.write(c.runId, putCheckpointStatement(this.db, c));
  }
  updateRun(runId: string, patch: RunPatch): Promise<void> {
    return this.write(runId, updateRunStatement(this.db, runId, patch));
  }
  /** Entries of several runs go down the lane of the first: order matters only within a run. */
  appendHistory(events: readonly NewHistoryEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.write(events[0]!.runId, appendHistoryStatement(this.db, events));
  }
  putCompensation(r: CompensationRecord): Promise<void> {
    return this.write(r.runId, putCompensationStatement(this.db, r));
  }

  putTaskFenced(fence: Fence, r: TaskRecord, history?: readonly NewHistoryEvent[]): Promise<boolean> {
    return this.fenced(r.runId, putTaskFencedStatement(this.db, fence, r, history));
  }
  putCheckpointFenced(fence: Fence, c: Checkpoint): Promise<boolean> {
    return this.fenced(c.runId, putCheckpointFencedStatement(this.db, fence, c));
  }
  async updateRunFenced(fence: Fence, runId: string, patch: RunPatch): Promise<boolean> {
    return this.fenced(runId, updateRunFencedStatement(this.db, fence, runId, patch));
  }
  putCompensationFenced(fence: Fence, r: CompensationRecord): Promise<boolean> {
    return this.fenced(r.runId, putCompensationFencedStatement(this.db, fence, r));
  }
}
