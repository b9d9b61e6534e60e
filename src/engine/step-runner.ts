import type { NodeSpec } from "../graph/types.js";
import type { TaskRecord, TaskSpec } from "./records.js";
import { isFinal, storedOutcome } from "./stored-outcome.js";
import { runTask, type TaskEnv, type TaskOutcome } from "./task-runner.js";

/** How a step's tasks run: here (`runStep`), or spread over many workers (`baton worker`). */
export type StepRunner = (
  env: TaskEnv,
  nodes: ReadonlyMap<string, NodeSpec>,
  tasks: readonly TaskSpec[],
  stored: ReadonlyMap<string, TaskRecord> | undefined,
  maxConcurrency: number,
) => Promise<TaskOutcome[]>;

/**
 * Run one step's tasks concurrently, at most `maxConcurrency` at a time. Tasks already finished
 * before a crash (or failed for good) are not run again: their stored record stands in. Outcomes come back in task order.
 */
export async function runStep(
  env: TaskEnv,
  nodes: ReadonlyMap<string, NodeSpec>,
  tasks: readonly TaskSpec[],
  stored: ReadonlyMap<string, TaskRecord> | undefined,
  maxConcurrency: number,
): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = new Array(tasks.length);
  const pending: number[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const record = stored?.get(tasks[i]!.id);
    // An interrupted task runs again to take its answer, a retrying one to spend its attempts left.
    if (isFinal(record)) outcomes[i] = storedOutcome(record)!;
    else pending.push(i);
  }
  // Each task's record is written the moment it finishes; with a store that keeps write order the
  // step waits for those writes only at its end, with its checkpoint (see `settle`).
  const issue = env.store?.ordersWrites === true ? ("issue" as const) : false;
  const start = (i: number) => {
    const task = tasks[i]!;
    return runTask(env, nodes.get(task.node)!, task, stored?.get(task.id), issue).then((o) => {
      outcomes[i] = o;
    });
  };
  if (pending.length === 1) {
    // A chain's usual case: one task, no closure or extra promise around it. Nothing else in the
    // step can depend on its record before the step ends, so a store that keeps write order stores
    // it with the step's checkpoint, in one commit (see `settle`).
    const task = tasks[pending[0]!]!;
    const defer = env.store?.ordersWrites === true;
    outcomes[pending[0]!] = await runTask(env, nodes.get(task.node)!, task, stored?.get(task.id), defer);
  } else if (pending.length <= maxConcurrency) await Promise.all(pending.map(start));
  else {
    let next = 0;
    const worker = async () => {
      while (next < pending.length) await start(pending[next++]!);
    };
    await Promise.all(Array.from({ length: maxConcurrency }, worker));
  }
  return outcomes;
}
