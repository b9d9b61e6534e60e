import { BatonError, coerceError, type ErrorInfo, errorInfo } from "../errors.js";
import type { CompensationContext } from "../graph/types.js";
import type { EventListener } from "./events.js";
import type { Engine } from "./loop.js";
import type { CompensationRecord, TaskRecord } from "./records.js";
import { resolveRetry, retryDelay, sleep } from "./retry.js";
import { StopReason } from "./signals.js";
import { type Store, writeInOrder } from "./store.js";
import { idempotencyKey } from "./task-context.js";

/** Undos retry three times by default: giving up on an undo leaves the world half-changed. */
const DEFAULT_UNDO_RETRY = { attempts: 3, initialDelayMs: 200 };

export const taskKey = (r: Pick<TaskRecord, "step" | "taskId">) => `${r.step}:${r.taskId}`;

/**
 * Undo completed tasks in reverse order of completion, each durably recorded so a crash never
 * repeats a finished undo. Stops at the first undo that fails for good and says which and why.
 */
export async function compensate(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  undoable: readonly TaskRecord[],
  state: Readonly<Record<string, unknown>>,
  emit: EventListener | undefined,
  signal: AbortSignal,
): Promise<{ status: "compensated" | "compensation_failed" | "stopped"; error?: ErrorInfo }> {
  const done = new Set(
    (store ? await store.listCompensations(runId) : [])
      .filter((c) => c.status === "done")
      .map((c) => c.taskKey),
  );
  const order = [...undoable].sort((a, b) => b.seq - a.seq).filter((r) => !done.has(taskKey(r)));
  emit?.({ type: "compensation_started", runId, at: engine.now(), nodes: order.map((r) => r.node) });
  for (const record of order) {
    const failure = await undoOne(engine, store, runId, record, state, emit, signal);
    // Stopped by its owner (Ctrl-C, shutdown): the rest of the undos wait for whoever resumes.
    if (failure === "stopped") return { status: "stopped" };
    if (failure) {
      emit?.({ type: "compensation_finished", runId, at: engine.now(), status: "compensation_failed" });
      return { status: "compensation_failed", error: failure };
    }
  }
  emit?.({ type: "compensation_finished", runId, at: engine.now(), status: "compensated" });
  return { status: "compensated" };
}

async function undoOne(
  engine: Engine,
  store: Store | undefined,
  runId: string,
  record: TaskRecord,
  state: Readonly<Record<string, unknown>>,
  emit: EventListener | undefined,
  signal: AbortSignal,
): Promise<ErrorInfo | undefined | "stopped"> {
  const options = engine.spec.nodes.get(record.node)!.options;
  const policy = resolveRetry(options.compensateRetry, DEFAULT_UNDO_RETRY);
  const key = taskKey(record);
  const result = Object.fromEntries(record.writes ?? []);
  const event = { type: "compensation_step", runId, node: record.node, taskKey: key } as const;
  const undoEvent = (
    attempt: number,
    startedAt: number,
    outcome: "done" | "retrying" | "failed",
    error?: ErrorInfo,
  ) => ({
    runId,
    at: engine.now(),
    type: "undo" as const,
    taskKey: key,
    node: record.node,
    attempt,
    startedAt,
    finishedAt: engine.now(),
    outcome,
    ...(error ? { error } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const startedAt = engine.now();
    emit?.({ ...event, at: startedAt, status: "started", attempt });
    const ctx: CompensationContext = {
      runId,
      node: record.node,
      idempotencyKey: `${idempotencyKey(runId, record.node, record.step, record.taskId)}:undo`,
      attempt,
      signal,
    };
    try {
      await options.compensate!(state, result, ctx);
      if (store) {
        const done: CompensationRecord = {
          runId,
          taskKey: key,
          node: record.node,
          status: "done",
          attempts: attempt,
          startedAt,
          finishedAt: engine.now(),
        };
        await writeInOrder(
          store,
          (s) => s.putCompensation(done),
          (s) => s.appendHistory([undoEvent(attempt, startedAt, "done")]),
        );
      }
      emit?.({ ...event, at: engine.now(), status: "done", attempt });
      return undefined;
    } catch (thrown) {
      if (signal.aborted && signal.reason instanceof StopReason) return "stopped";
      const error = coerceError(thrown);
      if (attempt < policy.attempts && policy.retryOn(error) && !signal.aborted) {
        const delayMs = retryDelay(policy, attempt);
        emit?.({ ...event, at: engine.now(), status: "retrying", attempt, error: errorInfo(error) });
        await store?.appendHistory([undoEvent(attempt, startedAt, "retrying", errorInfo(error))]);
        await sleep(delayMs, signal);
        if (signal.aborted && signal.reason instanceof StopReason) return "stopped";
        continue;
      }
      const wrapped = new BatonError(
        "COMPENSATION_FAILED",
        `Undo of "${record.node}" failed after ${attempt} attempt(s): ${error.message}`,
        { runId, node: record.node, cause: error },
      );
      const info = errorInfo(wrapped);
      const failed: CompensationRecord = {
        runId,
        taskKey: key,
        node: record.node,
        status: "failed",
        attempts: attempt,
        error: info,
        startedAt,
        finishedAt: engine.now(),
      };
      if (store)
        await writeInOrder(
          store,
          (s) => s.putCompensation(failed),
          (s) => s.appendHistory([undoEvent(attempt, startedAt, "failed", info)]),
        );
      emit?.({ ...event, at: engine.now(), status: "failed", attempt, error: info });
      return info;
    }
  }
}
