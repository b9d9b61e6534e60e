import { BatonError, type ErrorInfo } from "../errors.js";
import type { ResumeOptions, RunResult } from "./compiled.js";
import type { Actor } from "./history.js";
import { type ChildEntry, type RunLink, type RunRecord, TERMINAL_STATUSES } from "./records.js";
import { WaitSignal } from "./signals.js";
import type { Store } from "./store.js";

/** How a task starts and drives a graph as its child run (see `registerEngine`). */
export interface ChildGraph {
  readonly name: string;
  /** The compiled graph itself. */
  readonly graph: object;
  readonly store: Store | undefined;
  /**
   * Create the child run and drive it here, or (its id taken already) return it as it stands.
   * Runs it ends here send its parent no notice: the parent's task is the one waiting for it.
   */
  start(input: unknown, start: ChildStart): Promise<RunResult<unknown>>;
  /** Resume (or, with `retry`, retry) the child here, as its parent's task. */
  resume(runId: string, value: unknown, options: ResumeOptions): Promise<RunResult<unknown>>;
  cancel(runId: string, options: { compensate: boolean; actor: Actor }): Promise<void>;
  /** The run as it stands, as a result. */
  result(run: RunRecord): Promise<RunResult<unknown>>;
  /** Undo a completed child's steps that declare `compensate` (its parent compensates). */
  compensate(runId: string, signal: AbortSignal): Promise<void>;
  /** This graph bound to another store (a child runs in its parent's store), under another name if given. */
  boundTo(store: Store | undefined, name?: string): ChildGraph;
}

export interface ChildStart {
  readonly runId: string;
  readonly link: RunLink & { readonly kind: "subgraph" | "child" };
  readonly signal: AbortSignal;
  /** How long the child is waited for here when it sleeps (see `RunOptions.hold`). */
  readonly hold: number;
  /** Its lease's length (its parent's); default: as for any run. */
  readonly leaseMs?: number;
  /** Called once the child run exists (not when it existed already), to note it in the parent's history. */
  readonly onCreated: () => Promise<void>;
}

/** A child run that did not complete: `status` and `error` are the child's. */
export class ChildRunFailedError extends BatonError {
  readonly childRunId: string;
  readonly status: RunRecord["status"];
  readonly error?: ErrorInfo;
  constructor(result: RunResult<unknown>) {
    const why = result.error ? `: ${result.error.message}` : "";
    super("CHILD_FAILED", `Child run ${result.runId} ended ${result.status}${why}`, { runId: result.runId });
    this.childRunId = result.runId;
    this.status = result.status;
    if (result.error) this.error = result.error;
  }
}

/** The event a child run's end sends its parent (when the parent's task is not the one driving it). */
export const childNotice = (childId: string): string => `child:${childId}`;

/**
 * How often a parent waiting for its child looks again without a notice: the notice is sent after
 * the child's end is stored, so a crash in between would otherwise leave the parent waiting.
 */
export const CHILD_RECHECK_MS = 30_000;

export interface ChildCall {
  readonly store: Store;
  readonly runId: string;
  readonly step: number;
  readonly taskId: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly graph: ChildGraph;
  readonly input: unknown;
  readonly kind: "subgraph" | "child";
  readonly entry: ChildEntry;
  readonly hold: number;
  readonly leaseMs?: number;
  /** The child was made: note it in the parent's history, at `at` (a moment before the child's creation). */
  readonly onCreated: (at: number) => Promise<void>;
  /**
   * A subgraph's child stopped for an answer: return the parent's answer to pass on, or throw (an
   * `InterruptSignal` pauses the parent with the child's question). Without it, the parent waits.
   */
  readonly onInterrupt?: (result: RunResult<unknown>) => Promise<{ value: unknown }>;
  now(): number;
}

/**
 * Start the child (once: its id is the task's) and drive it here until it ends; a child that
 * stops for anything but its end (a sleep, an event, a person, another live owner) is waited for
 * durably: the task waits for the child's end notice, and looks again when it comes. Returns the
 * child's final result (completed or not); a failed child is retried by the parent's next attempt.
 */
export async function awaitChild(call: ChildCall): Promise<RunResult<unknown>> {
  const { graph, entry, store } = call;
  const drive: ResumeOptions = {
    signal: call.signal,
    hold: call.hold,
    actor: { via: "parent", who: call.runId },
    ...(call.leaseMs !== undefined ? { leaseMs: call.leaseMs } : {}),
  };
  // Whether this call drove the child (made it, or resumed it): a failure it saw happen is final
  // for this attempt; a child it found failed already is retried (a later attempt, a `retry`).
  let drove = false;
  const startedAt = call.now();
  let result = await graph.start(call.input, {
    runId: entry.runId,
    link: { runId: call.runId, step: call.step, taskId: call.taskId, kind: call.kind },
    signal: call.signal,
    hold: call.hold,
    ...(call.leaseMs !== undefined ? { leaseMs: call.leaseMs } : {}),
    onCreated: () => {
      drove = true;
      return call.onCreated(startedAt);
    },
  });
  for (;;) {
    // The task was stopped or cancelled: the child stopped with it; driving it again would stop it again.
    if (call.signal.aborted) throw call.signal.reason;
    const status = result.status;
    if (status === "completed") return result;
    if (status === "failed" || status === "cancelled") {
      // A later attempt of the parent's task (or a retry of the parent) retries the child from
      // where it failed; the attempt that saw it fail reports it.
      if (!drove && entry.failedIn !== call.attempt) {
        drove = true;
        result = await graph.resume(entry.runId, undefined, { ...drive, retry: true });
        continue;
      }
      entry.failedIn = call.attempt;
      return result;
    }
    if (TERMINAL_STATUSES.has(status)) return result;
    if (status === "interrupted" && call.onInterrupt) {
      const answer = await call.onInterrupt(result);
      drove = true;
      result = await graph.resume(entry.runId, answer.value, drive);
      continue;
    }
    const run = await store.getRun(entry.runId);
    if (!run)
      throw new BatonError("RUN_NOT_FOUND", `Child run ${entry.runId} is gone`, { runId: call.runId });
    const taken = await driveIfFree(graph, run, store, drive, call.now());
    if (taken) {
      drove = true;
      result = taken;
      continue;
    }
    // Someone else has it, or it waits: wait for its end notice (a stale one is taken and passed by).
    const consumer = `${call.step}:${call.taskId}:${childNotice(entry.runId)}:${entry.notices ?? 0}`;
    if (await store.takeEvent(call.runId, childNotice(entry.runId), consumer, false)) {
      entry.notices = (entry.notices ?? 0) + 1;
      result = await graph.result((await store.getRun(entry.runId)) ?? run);
      continue;
    }
    throw new WaitSignal({
      kind: "event",
      event: childNotice(entry.runId),
      until: call.now() + CHILD_RECHECK_MS,
    });
  }
}

/**
 * Drive the child here when nobody else does: its owner is gone (a crash), or it is due (its sleep
 * ended, its event came). Undefined when it is somebody else's, or not due.
 */
async function driveIfFree(
  graph: ChildGraph,
  run: RunRecord,
  store: Store,
  drive: ResumeOptions,
  now: number,
): Promise<RunResult<unknown> | undefined> {
  if (TERMINAL_STATUSES.has(run.status)) return graph.result(run);
  // A live owner refuses the takeover (`RUN_BUSY`); a gone one (lease out, process exited) gives it up.
  const crashed = run.status === "running" || run.status === "compensating";
  const due = !crashed && (await store.listDue(now, { runId: run.id, limit: 1 })).length > 0;
  if (!crashed && !due) return undefined;
  try {
    return await graph.resume(run.id, undefined, drive);
  } catch (error) {
    // Another process took it first (it is theirs to finish), or finished it meanwhile.
    if (!(error instanceof BatonError && (error.code === "RUN_BUSY" || error.code === "RUN_STATE")))
      throw error;
    const now = await store.getRun(run.id);
    return now && TERMINAL_STATUSES.has(now.status) ? graph.result(now) : undefined;
  }
}
