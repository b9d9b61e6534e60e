import { BatonError } from "../errors.js";
import { Command } from "../graph/commands.js";
import type { ChannelMap } from "../graph/state.js";
import type { TaskTarget } from "./records.js";

export type Write = readonly [string, unknown];

/** A finished task's contribution to the step, in the order writes are applied. */
export interface TaskWrites {
  readonly taskId: string;
  readonly node: string;
  /** None when the task wrote nothing (a TaskRecord is a TaskWrites as it is). */
  readonly writes?: readonly Write[];
  readonly mode?: "set";
}

/** Split what a node returned into writes and `Command` targets, checking every key. */
export function splitReturn(
  channels: ChannelMap,
  node: string,
  returned: unknown,
): { writes: Write[]; goto: TaskTarget[] | undefined } {
  if (returned === undefined || returned === null) return { writes: [], goto: undefined };
  // Several updates (or Commands) from one node: applied in the order given, each through the reducers.
  if (Array.isArray(returned)) {
    const writes: Write[] = [];
    let goto: TaskTarget[] | undefined;
    for (const item of returned) {
      if (Array.isArray(item))
        throw new BatonError("UPDATE_INVALID", `Node "${node}" returned a list inside its list of updates`, {
          node,
        });
      const part = splitReturn(channels, node, item);
      writes.push(...part.writes);
      if (part.goto) goto = [...(goto ?? []), ...part.goto];
    }
    return { writes, goto };
  }
  if (returned instanceof Command) {
    const goto = returned.goto.map((t) => (typeof t === "string" ? t : { node: t.node, input: t.input }));
    return { writes: updateToWrites(channels, node, returned.update), goto };
  }
  return { writes: updateToWrites(channels, node, returned), goto: undefined };
}

function updateToWrites(channels: ChannelMap, node: string, update: unknown): Write[] {
  if (update === undefined || update === null) return [];
  if (typeof update !== "object" || Array.isArray(update)) {
    throw new BatonError(
      "UPDATE_INVALID",
      `Node "${node}" returned ${describe(update)}; return an object of state keys`,
      {
        node,
      },
    );
  }
  const writes: Write[] = [];
  for (const key in update) {
    if (!Object.hasOwn(channels, key)) {
      throw new BatonError("UPDATE_INVALID", `Node "${node}" wrote unknown state key "${key}"`, { node });
    }
    const v = (update as Record<string, unknown>)[key];
    // Refused rather than dropped: JSON stores cannot keep undefined, and silently losing a write
    // (or clearing a key the node meant to keep) would be worse.
    if (v === undefined)
      throw new BatonError(
        "UPDATE_INVALID",
        `Node "${node}" wrote undefined to state key "${key}": leave the key out to keep its value, or write null to clear it`,
        { node },
      );
    writes.push([key, v]);
  }
  return writes;
}

const describe = (v: unknown) => (Array.isArray(v) ? "an array" : `a ${typeof v}`);

/** Deterministic order of a step's tasks: node name, then send index (the edge-triggered task first). */
export function compareTaskIds(a: string, b: string): number {
  const [an, ai] = splitId(a);
  const [bn, bi] = splitId(b);
  if (an !== bn) return an < bn ? -1 : 1;
  return ai - bi;
}

function splitId(id: string): [string, number] {
  const hash = id.lastIndexOf("#");
  return hash < 0 ? [id, -1] : [id.slice(0, hash), Number(id.slice(hash + 1))];
}

/**
 * Apply one step's writes to `state` (mutated in place, which the caller has copied), in the given
 * (already deterministic) order. A last-value key written by two tasks in one step is a conflict.
 */
export function applyWrites(
  channels: ChannelMap,
  state: Record<string, unknown>,
  tasks: readonly TaskWrites[],
  step: number,
): void {
  const valueWriter = new Map<string, TaskWrites>();
  const appended = new Map<string, unknown[]>();
  for (const task of tasks) {
    if (!task.writes) continue;
    for (const [key, update] of task.writes) {
      const channel = channels[key]!;
      if (task.mode === "set") {
        state[key] = update;
        continue;
      }
      if (channel.kind === "append") {
        const items = appended.get(key) ?? [];
        appended.set(key, items);
        if (Array.isArray(update)) for (const item of update) items.push(item);
        else items.push(update);
      } else if (channel.kind === "value") {
        // One task may write a key again (a list of updates: the later wins); two tasks may not.
        const first = valueWriter.get(key);
        if (first !== undefined && first.taskId !== task.taskId)
          throw conflict(key, first.node, task.node, step);
        valueWriter.set(key, task);
        state[key] = update;
      } else {
        state[key] = channel.reduce(state[key], update);
      }
    }
  }
  for (const [key, items] of appended) state[key] = (state[key] as unknown[]).concat(items);
}

function conflict(key: string, first: string, second: string, step: number): BatonError {
  const who = first === second ? `two tasks of "${first}"` : `"${first}" and "${second}"`;
  return new BatonError(
    "WRITE_CONFLICT",
    `State key "${key}" was written by ${who} in step ${step}; a last-value key takes one write per step (use an append or reduce channel for concurrent writes)`,
    { step, node: second },
  );
}
