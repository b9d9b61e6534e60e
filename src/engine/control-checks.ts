import { BatonError } from "../errors.js";
import { checkStoredAnswer } from "./interrupt-schema.js";
import type { CompensationRecord, InterruptInfo, RunRecord } from "./records.js";

/**
 * Checks a control operation makes before it changes anything: a refused operation leaves the run
 * exactly as it was.
 */

/** The run belongs to another workflow: nothing of this graph may touch it. */
export function checkSameWorkflow(run: RunRecord, graph: string): void {
  if (run.graph === graph) return;
  throw new BatonError(
    "RUN_CONFLICT",
    `Run ${run.id} belongs to workflow "${run.graph}", not "${graph}"; use that workflow, or another run id`,
    { runId: run.id },
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const question = (i: InterruptInfo) => {
  const text = JSON.stringify(i.payload) ?? String(i.payload);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/**
 * The answer each waiting task of an interrupted run gets. An object whose keys are all ids of
 * waiting tasks answers each of those separately (the others keep waiting); any other value
 * answers them all. A task without an answer (`undefined`) is refused, as is an answer its
 * schema rejects.
 */
export function answersFor(run: RunRecord, value: unknown): Map<string, unknown> {
  // A breakpoint asks nothing: the run just continues past it.
  const waiting = (run.interrupts ?? []).filter((i) => !i.breakpoint);
  if (waiting.length === 0) {
    if (value !== undefined)
      throw new BatonError(
        "INPUT_INVALID",
        `Run ${run.id} paused at a breakpoint and takes no answer; resume it without a value (pass { update } to change its state)`,
        { runId: run.id },
      );
    return new Map();
  }
  const ids = new Set(waiting.map((i) => i.taskId));
  const keyed =
    isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => ids.has(k));
  const answers = new Map<string, unknown>();
  for (const i of waiting) {
    if (keyed && !Object.hasOwn(value as object, i.taskId)) continue;
    const answer = keyed ? (value as Record<string, unknown>)[i.taskId] : value;
    if (answer === undefined) {
      throw new BatonError(
        "INPUT_INVALID",
        `Run ${run.id} is waiting for an answer from node "${i.node}" (task ${i.taskId}), which asked ${question(i)}; resume it with a value`,
        { runId: run.id, node: i.node },
      );
    }
    if (i.schema !== undefined) checkStoredAnswer(i.schema, answer, i.node, run.id);
    answers.set(i.taskId, answer);
  }
  return answers;
}

/**
 * Completed steps at or before `step` that the run's saga undid later: a fork from `step` would
 * build on effects that no longer exist.
 */
export function undoneBefore(step: number, undos: readonly CompensationRecord[]): string[] {
  return undos
    .filter((u) => u.status === "done" && Number(u.taskKey.split(":")[0]) <= step)
    .map((u) => u.node);
}

export function forkRefused(runId: string, step: number, nodes: readonly string[]): BatonError {
  return new BatonError(
    "RUN_STATE",
    `Run ${runId} undid ${nodes.map((n) => `"${n}"`).join(", ")} after step ${step}: a fork from there would build on effects that no longer exist; fork from an earlier step, or force it`,
    { runId, step },
  );
}
