import { coerceError, errorInfo, NodeFailedError, NodeTimeoutError } from "../errors.js";
import type { ChannelMap } from "../graph/state.js";
import type { NodeSpec, RetryPolicy } from "../graph/types.js";
import type { EventListener } from "./events.js";
import type { AttemptOutcome, NewHistoryEvent } from "./history.js";
import { interruptSchema } from "./interrupt-schema.js";
import type { AttemptInfo, InterruptInfo, JournalEntry, TaskRecord, TaskSpec, WaitInfo } from "./records.js";
import { type ResolvedRetry, resolveRetry, retryDelay, sleep } from "./retry.js";
import {
  AbortRunSignal,
  abortable,
  CancelReason,
  childSignal,
  InterruptSignal,
  StopReason,
  WaitSignal,
} from "./signals.js";
import type { Store } from "./store.js";
import { TaskContext } from "./task-context.js";
import { splitReturn } from "./writes.js";

/** What one task needs from its run. */
export interface TaskEnv {
  readonly runId: string;
  readonly step: number;
  readonly channels: ChannelMap;
  readonly state: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  readonly store: Store | undefined;
  readonly emit: EventListener | undefined;
  readonly retryDefault: RetryPolicy | undefined;
  readonly errorKey: string | undefined;
  /** How long a child run is waited for here when it sleeps or waits (default: as `hold` would). */
  readonly childHold?: number;
  /** The lease length of a child run (default: as for any run). */
  readonly childLeaseMs?: number;
  nextSeq(): number;
  now(): number;
}

type Draft<T> = { -readonly [K in keyof T]: T[K] };

export type TaskOutcome =
  | {
      kind: "finished";
      record: TaskRecord;
      /**
       * The record is not stored yet (`runTask(…, defer)`): the caller stores it in the commit that
       * also stores the step's checkpoint.
       */
      unsaved?: true;
      /**
       * The record's write, issued when the task finished but not waited for (`runTask(…, "issue")`):
       * the step waits for it with its checkpoint, which a store that keeps write order may then
       * commit in the same transaction.
       */
      saving?: Promise<void>;
    }
  | { kind: "failed"; record: TaskRecord; error: Error }
  | {
      kind: "interrupted";
      record: TaskRecord;
      payload: unknown;
      schema?: unknown;
      from?: InterruptInfo["from"];
    }
  | { kind: "waiting"; record: TaskRecord; wait: WaitInfo }
  | { kind: "aborted"; reason: string }
  | { kind: "cancelled"; reason: CancelReason | StopReason };

/** The journal as a record field, when the task made durable calls. */
const kept = (journal: JournalEntry[]) => (journal.length ? { journal: [...journal] } : {});

/** The history entry of one attempt, written with the record it left. */
function attemptEvent(
  env: TaskEnv,
  task: TaskSpec,
  attempt: number,
  startedAt: number,
  finishedAt: number,
  outcome: AttemptOutcome,
  error?: Error,
  retryInMs?: number,
): NewHistoryEvent {
  const event: Record<string, unknown> = {
    runId: env.runId,
    at: finishedAt,
    type: "attempt",
    step: env.step,
    taskId: task.id,
    node: task.node,
    attempt,
    startedAt,
    finishedAt,
    outcome,
  };
  if (error) event.error = { ...errorInfo(error), ...(error.stack ? { stack: error.stack } : {}) };
  if (retryInMs !== undefined) event.retryInMs = retryInMs;
  if (task.input !== undefined) event.input = task.input;
  return event as unknown as NewHistoryEvent;
}

/** Run one task to a final outcome: attempts with backoff, timeouts, interrupts; every outcome stored. */
export async function runTask(
  env: TaskEnv,
  node: NodeSpec,
  task: TaskSpec,
  previous: TaskRecord | undefined,
  defer: boolean | "issue" = false,
): Promise<TaskOutcome> {
  let policy: ResolvedRetry | undefined; // resolved on the first failure: most tasks never need it
  const history: AttemptInfo[] = previous?.history ? [...previous.history] : [];
  const resumes = previous?.status === "interrupted" ? (previous.resumes ?? []) : [];
  // Durable calls' results, kept across attempts and waits (see `DurableCalls`).
  const journal: JournalEntry[] = previous?.journal ? [...previous.journal] : [];
  const logged: NewHistoryEvent[] = [];
  let attempt = previous?.status === "retrying" ? previous.attempts : 0;
  if (previous?.nextDueAt !== undefined) await sleep(previous.nextDueAt - env.now(), env.signal);
  const firstStartedAt = previous?.startedAt ?? env.now();
  for (;;) {
    attempt += 1;
    if (env.signal.aborted) return stopped(env.signal.reason);
    const startedAt = env.now();
    env.emit?.({
      type: "node_started",
      runId: env.runId,
      at: startedAt,
      step: env.step,
      node: task.node,
      taskId: task.id,
      attempt,
    });
    const result = await attemptOnce(env, node, task, attempt, resumes, journal, logged);
    const finishedAt = env.now();
    if (result.ok) {
      // Built field by field: conditional spreads here cost a fifth of a trivial node's time.
      const record: Draft<TaskRecord> = {
        runId: env.runId,
        step: env.step,
        taskId: task.id,
        node: task.node,
        status: "succeeded",
        attempts: attempt,
        writes: result.writes,
        seq: env.nextSeq(),
        startedAt: firstStartedAt,
        finishedAt,
      };
      if (result.goto) record.goto = result.goto;
      if (history.length) record.history = [...history, { attempt, startedAt, finishedAt }];
      // No store: no await, no extra microtask. A succeeded record is final and never rewritten:
      // it is its attempt's history entry (see `readHistory`), so the hot path writes one row.
      // Entries its durable calls left (an event received) go with it, at once.
      const entries = logged.length ? logged.splice(0) : undefined;
      let saving: Promise<void> | undefined;
      if (env.store && defer === "issue") {
        saving = env.store.putTask(record, entries);
        saving.catch(() => undefined); // the step awaits it; meanwhile a failure is not unhandled
      } else if (env.store && (!defer || entries)) await env.store.putTask(record, entries);
      env.emit?.({
        type: "node_succeeded",
        runId: env.runId,
        at: finishedAt,
        step: env.step,
        node: task.node,
        taskId: task.id,
        attempt,
        durationMs: finishedAt - startedAt,
        update: Object.fromEntries(result.writes),
      });
      if (saving) return { kind: "finished", record, saving };
      return env.store && defer && !entries
        ? { kind: "finished", record, unsaved: true }
        : { kind: "finished", record };
    }
    const base = {
      runId: env.runId,
      step: env.step,
      taskId: task.id,
      node: task.node,
      attempts: attempt,
      startedAt: firstStartedAt,
      finishedAt,
    };
    const thrown = result.thrown;
    if (thrown instanceof WaitSignal)
      return waiting(env, task, base, thrown, history, startedAt, attempt, kept(journal), logged.splice(0));
    if (thrown instanceof InterruptSignal) {
      const record: TaskRecord = {
        ...base,
        status: "interrupted",
        attempts: attempt - 1,
        interrupts: [thrown.payload],
        resumes,
        seq: 0,
        history,
        ...kept(journal),
      };
      const schema = thrown.passed ? thrown.passed.jsonSchema : interruptSchema(thrown.schema);
      const from = thrown.passed?.from;
      if (env.store)
        await env.store.putTask(record, [
          ...logged.splice(0),
          attemptEvent(env, task, attempt, startedAt, finishedAt, "interrupted"),
          {
            runId: env.runId,
            at: finishedAt,
            type: "interrupt_asked",
            step: env.step,
            taskId: task.id,
            node: task.node,
            payload: thrown.payload,
            ...(schema ? { schema } : {}),
            ...(from ? { childRunId: from.runId } : {}),
          },
        ]);
      env.emit?.({
        type: "interrupted",
        runId: env.runId,
        at: finishedAt,
        step: env.step,
        node: task.node,
        taskId: task.id,
        payload: thrown.payload,
      });
      return {
        kind: "interrupted",
        record,
        payload: thrown.payload,
        ...(schema ? { schema } : {}),
        ...(from ? { from } : {}),
      };
    }
    if (thrown instanceof AbortRunSignal) return { kind: "aborted", reason: thrown.reason };
    if (
      thrown instanceof CancelReason ||
      thrown instanceof StopReason ||
      (env.signal.aborted && !(thrown instanceof NodeTimeoutError))
    ) {
      const outcome = stopped(env.signal.reason ?? thrown);
      // The attempt in flight is part of the record too: it ran, and was cut off.
      const how =
        outcome.kind === "cancelled" && outcome.reason instanceof StopReason ? "stopped" : "cancelled";
      await env.store
        ?.appendHistory([attemptEvent(env, task, attempt, startedAt, finishedAt, how)])
        .catch(() => undefined);
      return outcome;
    }
    const error = coerceError(thrown);
    history.push({ attempt, startedAt, finishedAt, error: errorInfo(error) });
    policy ??= resolveRetry(node.options.retry, env.retryDefault);
    if (attempt < policy.attempts && policy.retryOn(error)) {
      const delayMs = retryDelay(policy, attempt);
      if (env.store)
        await env.store.putTask(
          {
            ...base,
            status: "retrying",
            error: errorInfo(error),
            nextDueAt: finishedAt + delayMs,
            seq: 0,
            // A copy: the next attempt appends to `history`, and a store may keep the record as given.
            history: [...history],
            ...kept(journal),
          },
          [
            ...logged.splice(0),
            attemptEvent(env, task, attempt, startedAt, finishedAt, "retrying", error, delayMs),
          ],
        );
      env.emit?.({
        type: "node_retrying",
        runId: env.runId,
        at: finishedAt,
        step: env.step,
        node: task.node,
        taskId: task.id,
        attempt,
        delayMs,
        error: errorInfo(error),
      });
      await sleep(delayMs, env.signal);
      continue;
    }
    return failed(env, node, task, base, error, history, startedAt, logged.splice(0));
  }
}

/** The node waits for a time or an event: its record keeps its journal and what it waits for. */
async function waiting(
  env: TaskEnv,
  task: TaskSpec,
  base: Omit<TaskRecord, "status" | "seq">,
  signal: WaitSignal,
  history: AttemptInfo[],
  startedAt: number,
  attempt: number,
  journal: { journal?: JournalEntry[] },
  logged: NewHistoryEvent[],
): Promise<TaskOutcome> {
  const ref = { step: env.step, taskId: task.id, node: task.node };
  const wait = { ...signal.wait, ...ref } as WaitInfo;
  // The wake re-runs the attempt, as an answered interrupt does: it is not a retry.
  const record: TaskRecord = {
    ...base,
    status: "waiting",
    attempts: attempt - 1,
    seq: 0,
    history,
    wait,
    ...journal,
  };
  const until = wait.until;
  await env.store!.putTask(record, [
    ...logged,
    attemptEvent(env, task, attempt, startedAt, base.finishedAt, "waiting"),
    {
      runId: env.runId,
      at: base.finishedAt,
      type: "wait_started",
      ...ref,
      kind: wait.kind,
      ...(until !== undefined ? { until } : {}),
      ...(wait.kind === "event" ? { event: wait.event } : {}),
    },
  ]);
  env.emit?.({ type: "node_waiting", runId: env.runId, at: base.finishedAt, ...ref, wait });
  return { kind: "waiting", record, wait };
}

type AttemptResult =
  | { ok: true; writes: Array<readonly [string, unknown]>; goto: TaskRecord["goto"] }
  | { ok: false; thrown: unknown };

async function attemptOnce(
  env: TaskEnv,
  node: NodeSpec,
  task: TaskSpec,
  attempt: number,
  resumes: readonly unknown[],
  journal: JournalEntry[],
  logged: NewHistoryEvent[],
): Promise<AttemptResult> {
  const timeout = node.options.timeout;
  const child =
    timeout === undefined
      ? undefined
      : childSignal(
          env.signal,
          timeout,
          () => new NodeTimeoutError(task.node, timeout, { runId: env.runId, step: env.step }),
        );
  const signal = child?.signal ?? env.signal;
  const ctx = new TaskContext(env, task, attempt, signal, resumes, journal, logged);
  try {
    let returned = node.fn(env.state, ctx);
    if (returned instanceof Promise) returned = await abortable(returned, signal);
    const { writes, goto } = splitReturn(env.channels, task.node, returned);
    return { ok: true, writes, goto };
  } catch (thrown) {
    return {
      ok: false,
      thrown:
        signal.aborted &&
        !(thrown instanceof InterruptSignal) &&
        !(thrown instanceof WaitSignal) &&
        !(thrown instanceof AbortRunSignal)
          ? signal.reason
          : thrown,
    };
  } finally {
    child?.dispose();
  }
}

function stopped(reason: unknown): TaskOutcome {
  const known = reason instanceof CancelReason || reason instanceof StopReason;
  return { kind: "cancelled", reason: known ? reason : new CancelReason(false) };
}

async function failed(
  env: TaskEnv,
  node: NodeSpec,
  task: TaskSpec,
  base: Omit<TaskRecord, "status" | "seq">,
  error: Error,
  history: AttemptInfo[],
  startedAt: number,
  logged: NewHistoryEvent[],
): Promise<TaskOutcome> {
  const attempts = base.attempts;
  const info = errorInfo(error);
  const continued = node.options.onError === "continue" && env.errorKey !== undefined;
  const kind = error instanceof NodeTimeoutError ? "timeout" : "error";
  const record: TaskRecord = continued
    ? {
        ...base,
        status: "continued",
        error: info,
        history,
        seq: env.nextSeq(),
        writes: [[env.errorKey!, { node: task.node, taskId: task.id, error: info.message, attempts, kind }]],
      }
    : { ...base, status: "failed", error: info, history, seq: 0 };
  if (env.store)
    await env.store.putTask(record, [
      ...logged,
      attemptEvent(
        env,
        task,
        attempts,
        startedAt,
        base.finishedAt,
        continued ? "continued" : "failed",
        error,
      ),
    ]);
  env.emit?.({
    type: "node_failed",
    runId: env.runId,
    at: env.now(),
    step: env.step,
    node: task.node,
    taskId: task.id,
    attempts,
    error: info,
    continued,
  });
  if (continued) return { kind: "finished", record };
  return {
    kind: "failed",
    record,
    error: new NodeFailedError(task.node, error, attempts, { runId: env.runId, step: env.step }),
  };
}
