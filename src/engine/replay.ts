import type { ChannelMap, StateDefinition } from "../graph/state.js";
import { initialState } from "../graph/state.js";
import type { Checkpoint, TaskRecord } from "./records.js";
import { applyWrites, compareTaskIds } from "./writes.js";

export const isFinished = (r: TaskRecord) => r.status === "succeeded" || r.status === "continued";

/** Tasks grouped by step, each group in the deterministic order writes apply in. */
export function tasksByStep(records: readonly TaskRecord[]): Map<number, TaskRecord[]> {
  const byStep = new Map<number, TaskRecord[]>();
  for (const r of records) {
    const list = byStep.get(r.step);
    if (list) list.push(r);
    else byStep.set(r.step, [r]);
  }
  for (const list of byStep.values()) list.sort((a, b) => compareTaskIds(a.taskId, b.taskId));
  return byStep;
}

/**
 * The state after `step`: the defaults, then every committed step's finished writes in order.
 * Checkpoints hold no state of their own, so storage grows with the writes, not the state.
 */
export function stateAt(
  definition: StateDefinition,
  byStep: ReadonlyMap<number, readonly TaskRecord[]>,
  step: number,
): Record<string, unknown> {
  const channels: ChannelMap = definition.channels;
  const state = initialState(definition) as Record<string, unknown>;
  const steps = [...byStep.keys()].filter((s) => s <= step).sort((a, b) => a - b);
  for (const s of steps) {
    const finished = byStep.get(s)!.filter(isFinished);
    applyWrites(
      channels,
      state,
      finished.map((r) => ({
        taskId: r.taskId,
        node: r.node,
        writes: r.writes ?? [],
        ...(r.mode ? { mode: r.mode } : {}),
      })),
      s,
    );
  }
  return state;
}

export const lastCheckpoint = (checkpoints: readonly Checkpoint[]): Checkpoint | undefined =>
  checkpoints.reduce<Checkpoint | undefined>(
    (last, c) => (!last || c.step > last.step ? c : last),
    undefined,
  );
