import type { ZodType } from "zod";
import { BatonError, NonRetryableError } from "../errors.js";
import type { EventResult, RunChildOptions, WaitForEventOptions } from "../graph/types.js";
import { awaitChild, type ChildCall, type ChildGraph, ChildRunFailedError } from "./child-runs.js";
import type { RunResult } from "./compiled.js";
import { childGraphOf } from "./engine-registry.js";
import type { NewHistoryEvent } from "./history.js";
import { interruptSchema, invalid } from "./interrupt-schema.js";
import type { ChildEntry, JournalEntry, TaskSpec } from "./records.js";
import { sleep as timer } from "./retry.js";
import { WaitSignal } from "./signals.js";
import type { Store } from "./store.js";
import { findWorkflow } from "./workflow-registry.js";

/** The engine's own view of a node's context (a subgraph node's function reads it). */
export const TASK_INTERNALS = Symbol("baton.task");
export interface TaskInternals {
  readonly [TASK_INTERNALS]: () => { readonly calls: DurableCalls; readonly resumes: readonly unknown[] };
}

/** What the durable calls need from the task they run in. */
export interface CallEnv {
  readonly runId: string;
  readonly step: number;
  readonly store: Store | undefined;
  readonly childHold?: number;
  readonly childLeaseMs?: number;
  now(): number;
}

/**
 * A node's durable calls (`sleep`, `sleepUntil`, `waitForEvent`, `once`) over its journal: the
 * results of earlier calls, in call order. When the node runs again after a wait, each call finds
 * its entry and returns at once what it returned the first time (a `once` does not run again, a
 * sleep keeps its end); the first call with nothing to return yet ends the attempt with a
 * `WaitSignal`. The code must make the same calls in the same order each time it runs, as
 * Temporal, Restate and Inngest ask; a call that finds another kind of entry is an error.
 *
 * A class, made only when an attempt makes its first durable call: a node that makes none pays
 * nothing for them (a fan-out of a thousand tasks would otherwise build a thousand sets of closures).
 */
export class DurableCalls {
  private cursor = 0;

  constructor(
    private readonly env: CallEnv,
    /** The attempt's signal (a sleep without a store waits on it). */
    private readonly signal: AbortSignal,
    private readonly task: TaskSpec,
    private readonly journal: JournalEntry[],
    /** History entries to store with the task's next record. */
    private readonly logged: NewHistoryEvent[],
    private readonly attempt: number,
    /** The task's idempotency key: child runs' ids derive from it. */
    private readonly key: string,
  ) {}

  sleep(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0)
      throw new BatonError("INPUT_INVALID", `ctx.sleep needs a duration of 0 ms or more, not ${ms}`, {
        runId: this.env.runId,
        node: this.task.node,
      });
    return this.sleepTo(this.env.now() + ms);
  }

  sleepUntil(date: Date | number): Promise<void> {
    const at = typeof date === "number" ? date : date.getTime();
    if (!Number.isFinite(at))
      throw new BatonError("INPUT_INVALID", `ctx.sleepUntil needs a valid date, not ${String(date)}`, {
        runId: this.env.runId,
        node: this.task.node,
      });
    return this.sleepTo(at);
  }

  async waitForEvent<T>(name: string, options: WaitForEventOptions<T> = {}): Promise<EventResult<T>> {
    const { env, task } = this;
    const store = env.store;
    if (!store)
      throw new BatonError(
        "RUN_STATE",
        `Node "${task.node}" waits for event "${name}", but this graph was compiled with store: false: events reach stored runs only`,
        { runId: env.runId, node: task.node, step: env.step },
      );
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0))
      throw new BatonError(
        "INPUT_INVALID",
        `waitForEvent("${name}") needs a timeout of 0 ms or more, not ${timeoutMs}`,
        { runId: env.runId, node: task.node },
      );
    const index = this.cursor;
    const entry = this.next("event", name);
    const until = entry ? entry.until : timeoutMs === undefined ? undefined : env.now() + timeoutMs;
    if (!entry)
      this.journal.push(
        until === undefined ? { kind: "event", event: name } : { kind: "event", event: name, until },
      );
    // Stable across re-runs and retries of this task: the same call site takes the same event.
    const consumer = `${env.step}:${task.id}:${index}`;
    const timedOut = until !== undefined && until <= env.now();
    const taken = await store.takeEvent(env.runId, name, consumer, timedOut);
    const ref = { runId: env.runId, step: env.step, taskId: task.id, node: task.node };
    if (taken?.kind === "timeout") {
      if (taken.fresh) this.logged.push({ ...ref, at: taken.at, type: "event_timed_out", event: name });
      return { timedOut: true };
    }
    if (taken) {
      if (taken.fresh)
        this.logged.push({ ...ref, at: env.now(), type: "event_received", event: name, eventSeq: taken.seq });
      const payload = options.schema
        ? parsePayload(options.schema, taken.payload, name, task.node, env.runId)
        : (taken.payload as T);
      return { timedOut: false, payload };
    }
    const schema = interruptSchema(options.schema);
    throw new WaitSignal({
      kind: "event",
      event: name,
      ...(until !== undefined ? { until } : {}),
      ...(schema ? { schema } : {}),
    });
  }

  async once<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const entry = this.next("once", name);
    if (entry) return entry.value as T;
    const value = await fn();
    this.journal.push({ kind: "once", name, value });
    return value;
  }

  /** `ctx.runChild`: start (once) a child run of another workflow and wait for its end. */
  async runChild(target: string | object, input: unknown, options: RunChildOptions = {}): Promise<unknown> {
    const given = options.runId;
    if (given !== undefined && (typeof given !== "string" || given.trim() === ""))
      throw new BatonError("INPUT_INVALID", "ctx.runChild needs a runId that is a non-empty string", {
        runId: this.env.runId,
        node: this.task.node,
      });
    const index = this.cursor;
    const entry = this.next("child", given);
    const graph = await this.childGraphFor(target);
    const result = await this.child(graph, input, "child", entry, given ?? `${this.key}:${index}`);
    if (result.status !== "completed") throw new ChildRunFailedError(result);
    return result.state;
  }

  /**
   * Run `graph` as this task's child run (made once: its id is `runId`), here or wherever it is
   * continued, and return how it ended. Without a store it just runs here.
   */
  async child(
    graph: ChildGraph,
    input: unknown,
    kind: "subgraph" | "child",
    entry: ChildEntry | undefined,
    runId: string,
    onInterrupt?: ChildCall["onInterrupt"],
  ): Promise<RunResult<unknown>> {
    const { env, task } = this;
    const store = env.store;
    const link = { runId: env.runId, step: env.step, taskId: task.id, kind };
    if (!store)
      return graph.start(input, {
        runId,
        link,
        signal: this.signal,
        hold: Number.POSITIVE_INFINITY,
        onCreated: async () => {},
      });
    let kept = entry;
    if (!kept) {
      kept = { kind: "child", runId };
      this.journal.push(kept);
    }
    const childId = kept.runId;
    return awaitChild({
      store,
      runId: env.runId,
      step: env.step,
      taskId: task.id,
      attempt: this.attempt,
      signal: this.signal,
      graph,
      input,
      kind,
      entry: kept,
      // A worker lets go of a sleeping child (any worker wakes it); elsewhere it is waited for here.
      hold: store.workers ? 0 : (env.childHold ?? (store.local ? Number.POSITIVE_INFINITY : CHILD_HOLD_MS)),
      ...(env.childLeaseMs !== undefined ? { leaseMs: env.childLeaseMs } : {}),
      onCreated: (at) =>
        store.appendHistory([
          {
            runId: env.runId,
            at,
            type: "child_started",
            step: env.step,
            taskId: task.id,
            node: task.node,
            childRunId: childId,
            kind,
            graph: graph.name,
          },
        ]),
      ...(onInterrupt ? { onInterrupt } : {}),
      now: env.now,
    });
  }

  /** The journal entry of this task's next durable call, which must be a child run (a subgraph node's). */
  childEntry(runId: string): ChildEntry | undefined {
    return this.next("child", runId);
  }

  private async childGraphFor(target: string | object): Promise<ChildGraph> {
    const store = this.env.store;
    const found =
      typeof target === "string" ? (store ? await findWorkflow(store, target) : undefined) : target;
    const graph = found ? childGraphOf(found) : undefined;
    if (!graph)
      throw new NonRetryableError(
        typeof target === "string"
          ? `ctx.runChild names unknown workflow "${target}": compile it with { name: "${target}" } on this run's store (or load it in this worker), or pass the compiled graph`
          : "ctx.runChild needs a graph compiled by Baton (or a workflow's name)",
        { code: "WORKFLOW_UNKNOWN", runId: this.env.runId, node: this.task.node },
      );
    return graph.boundTo(store);
  }

  private async sleepTo(until: number): Promise<void> {
    const end = this.next("sleep", "")?.until;
    if (end === undefined) this.journal.push({ kind: "sleep", until });
    const wake = end ?? until;
    if (wake <= this.env.now()) return;
    // Without a store nothing is kept: the node just waits here.
    if (!this.env.store) return timer(wake - this.env.now(), this.signal);
    throw new WaitSignal({ kind: "sleep", until: wake });
  }

  /** The journal's entry for the next call, if it made one before; a call of another kind is an error. */
  private next<K extends JournalEntry["kind"]>(
    kind: K,
    what: string | undefined,
  ): Extract<JournalEntry, { kind: K }> | undefined {
    const index = this.cursor++;
    const entry = this.journal[index];
    if (entry === undefined) return undefined;
    if (
      entry.kind !== kind ||
      (entry.kind === "once" && entry.name !== what) ||
      (entry.kind === "event" && entry.event !== what) ||
      (entry.kind === "child" && what !== undefined && entry.runId !== what)
    )
      throw new BatonError(
        "JOURNAL_MISMATCH",
        `Node "${this.task.node}" made its durable calls in another order than before: call ${index + 1} is ${kind} "${what}" now, ${describe(entry)} when it first ran; keep the calls of a node the same on every run`,
        { runId: this.env.runId, node: this.task.node, step: this.env.step },
      );
    return entry as Extract<JournalEntry, { kind: K }>;
  }
}

/** How long a child that sleeps is waited for in its parent's process before the parent waits durably. */
const CHILD_HOLD_MS = 60_000;

function describe(entry: JournalEntry): string {
  if (entry.kind === "once") return `once "${entry.name}"`;
  if (entry.kind === "event") return `event "${entry.event}"`;
  if (entry.kind === "child") return `child run "${entry.runId}"`;
  return "sleep";
}

function parsePayload<T>(schema: ZodType<T>, payload: unknown, name: string, node: string, runId: string): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw invalid(`The event "${name}" node "${node}" received`, parsed.error, runId, node);
}
