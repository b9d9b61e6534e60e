import type { ZodType } from "zod";
import { BatonError } from "../errors.js";
import type { EventResult, WaitForEventOptions } from "../graph/types.js";
import type { NewHistoryEvent } from "./history.js";
import { interruptSchema, invalid } from "./interrupt-schema.js";
import type { JournalEntry, TaskSpec } from "./records.js";
import { sleep as timer } from "./retry.js";
import { WaitSignal } from "./signals.js";
import type { Store } from "./store.js";

/** What the durable calls need from the task they run in. */
export interface CallEnv {
  readonly runId: string;
  readonly step: number;
  readonly store: Store | undefined;
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
    what: string,
  ): Extract<JournalEntry, { kind: K }> | undefined {
    const index = this.cursor++;
    const entry = this.journal[index];
    if (entry === undefined) return undefined;
    if (
      entry.kind !== kind ||
      (entry.kind === "once" && entry.name !== what) ||
      (entry.kind === "event" && entry.event !== what)
    )
      throw new BatonError(
        "JOURNAL_MISMATCH",
        `Node "${this.task.node}" made its durable calls in another order than before: call ${index + 1} is ${kind} "${what}" now, ${describe(entry)} when it first ran; keep the calls of a node the same on every run`,
        { runId: this.env.runId, node: this.task.node, step: this.env.step },
      );
    return entry as Extract<JournalEntry, { kind: K }>;
  }
}

function describe(entry: JournalEntry): string {
  if (entry.kind === "once") return `once "${entry.name}"`;
  if (entry.kind === "event") return `event "${entry.event}"`;
  return "sleep";
}

function parsePayload<T>(schema: ZodType<T>, payload: unknown, name: string, node: string, runId: string): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw invalid(`The event "${name}" node "${node}" received`, parsed.error, runId, node);
}
