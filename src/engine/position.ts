import { BatonError } from "../errors.js";
import type { Engine, Position } from "./loop.js";
import type { RunRecord, TaskRecord } from "./records.js";
import { isFinished, lastCheckpoint, stateAt, tasksByStep } from "./replay.js";
import type { Store } from "./store.js";

/** Rebuild where a stored run stands: its state, the next step's tasks and what they already did. */
export async function loadPosition(engine: Engine, store: Store, run: RunRecord): Promise<Position> {
  const [checkpoints, records] = await Promise.all([store.listCheckpoints(run.id), store.listTasks(run.id)]);
  const last = lastCheckpoint(checkpoints);
  if (!last)
    throw new BatonError("RUN_STATE", `Run ${run.id} has no checkpoint to resume from`, { runId: run.id });
  const byStep = tasksByStep(records);
  const compensating = run.status === "compensating";
  const undoable: TaskRecord[] = [];
  let seq = 0;
  for (const r of records) {
    seq = Math.max(seq, r.seq);
    if (
      (r.step <= last.step || compensating) &&
      r.status === "succeeded" &&
      engine.spec.nodes.get(r.node)?.options.compensate
    ) {
      undoable.push(r);
    }
  }
  undoable.sort((a, b) => a.seq - b.seq);
  const pendingRecords = byStep.get(last.step + 1);
  const position: Position = {
    step: last.step,
    state: stateAt(engine.definition, byStep, last.step),
    next: last.next,
    joins: last.joins,
    pending: pendingRecords ? new Map(pendingRecords.map((r) => [r.taskId, r])) : undefined,
    undoable,
    seq,
  };
  if (compensating) position.compensating = run.error ?? { name: "Error", message: "run failed" };
  return position;
}

/** Hand a resume value to every task that is waiting for one in the pending step. */
export async function deliverResume(store: Store, position: Position, value: unknown): Promise<void> {
  for (const [id, record] of position.pending ?? []) {
    if (record.status !== "interrupted") continue;
    const resumed: TaskRecord = { ...record, resumes: [...(record.resumes ?? []), value] };
    position.pending!.set(id, resumed);
    await store.putTask(resumed);
  }
}

export { isFinished };
