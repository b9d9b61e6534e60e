import type { ErrorInfo } from "../errors.js";
import type { Actor, NewHistoryEvent } from "./history.js";

/**
 * Where a run stands. `pending` runs wait in a queue for a worker (or for their start time);
 * `sleeping` and `waiting` runs wait for a time or an event, held by no process.
 */
export type RunStatus =
  | "pending"
  | "running"
  | "interrupted"
  | "sleeping"
  | "waiting"
  | "completed"
  | "failed"
  | "cancelled"
  | "compensating"
  | "compensated"
  | "compensation_failed";

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  "completed",
  "failed",
  "cancelled",
  "compensated",
  "compensation_failed",
]);

/** Statuses under which a run still needs a process to drive it; any other status stops it. */
const DRIVEN: ReadonlySet<RunStatus> = new Set(["pending", "running", "compensating"]);

/** A run at this status needs nobody to drive it (finished, or waiting for a person). */
export const stopsRun = (status: RunStatus): boolean => !DRIVEN.has(status);

/** What a sleeping or waiting task waits for: a time, or a named event (until a timeout, if any). */
export type WaitInfo =
  | {
      readonly taskId: string;
      readonly node: string;
      readonly step: number;
      readonly kind: "sleep";
      readonly until: number;
    }
  | {
      readonly taskId: string;
      readonly node: string;
      readonly step: number;
      readonly kind: "event";
      readonly event: string;
      readonly until?: number;
      /** JSON Schema the event's payload must satisfy (from `waitForEvent(name, { schema })`). */
      readonly schema?: unknown;
    };

export interface InterruptInfo {
  readonly taskId: string;
  readonly node: string;
  readonly step: number;
  readonly payload: unknown;
  /** JSON Schema of the answer the node expects (from `interrupt(payload, { schema })`). */
  readonly schema?: unknown;
  /** A static breakpoint paused the run (before the step, or after it): no answer is expected. */
  readonly breakpoint?: "before" | "after";
  /**
   * Asked inside this task's subgraph: the subgraph's run and its interrupts there (each of which
   * may come from a subgraph deeper down). The answer is passed on to it.
   */
  readonly from?: { readonly runId: string; readonly interrupts: readonly InterruptInfo[] };
}

/**
 * The process that drives a run: it holds the run's lease and renews it while it works. `host` and
 * `pid` let a process on the same machine tell at once that the owner is gone.
 */
export interface RunOwner {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** When this owner took the run (epoch ms). */
  readonly since: number;
  /** When the lease runs out unless renewed (epoch ms, the store's clock). */
  readonly expiresAt: number;
}

/** A run's parent: the run it was forked from, or the task that started it as a child. */
export interface RunLink {
  readonly runId: string;
  readonly step: number;
  /** The parent's task that started this run (a child); absent for a fork. */
  readonly taskId?: string;
  /** `subgraph`: the run of a subgraph node; `child`: started by `ctx.runChild`. */
  readonly kind?: "subgraph" | "child";
}

/** The run was started by a task of another run (a subgraph node or `ctx.runChild`). */
export const isChildRun = (run: Pick<RunRecord, "parent">): boolean => run.parent?.taskId !== undefined;

export interface RunRecord {
  readonly id: string;
  /** The workflow's name (from `compile({ name })`), used to find its code again. */
  readonly graph: string;
  readonly graphHash: string;
  readonly status: RunStatus;
  readonly input: unknown;
  /** The step of the last checkpoint. */
  readonly step: number;
  readonly queue: string;
  readonly error?: ErrorInfo;
  readonly interrupts?: readonly InterruptInfo[];
  /** What a `sleeping` or `waiting` run's tasks wait for. */
  readonly waits?: readonly WaitInfo[];
  /**
   * When the run is due to be driven again (epoch ms): a sleep's end, an event wait's timeout (or
   * now, once its event came), a delayed start. Unset: not before somebody acts.
   */
  readonly wakeAt?: number;
  /** Set by `cancel()` from any process; the process running the run aborts it. */
  readonly cancelRequested?: { compensate: boolean };
  /**
   * The run this one came from: forked from it at `step`, or started by its task `taskId` (a
   * subgraph node's run, or a `ctx.runChild`), whose end the parent waits for.
   */
  readonly parent?: RunLink;
  /** The thread (conversation) the run belongs to: it started from the thread's last state. */
  readonly thread?: string;
  /** Whoever holds (or last held, if it never let go) the run's lease. */
  readonly owner?: RunOwner;
  /** Who started the run (CLI, API, worker, fork…), as its history's first entry says. */
  readonly createdBy?: Actor;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type RunPatch = Partial<
  Pick<
    RunRecord,
    "status" | "step" | "error" | "interrupts" | "waits" | "wakeAt" | "cancelRequested" | "graphHash"
  >
> & { clear?: ReadonlyArray<"error" | "interrupts" | "waits" | "wakeAt" | "cancelRequested"> };

export interface NewRun {
  readonly id: string;
  readonly graph: string;
  readonly graphHash: string;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly queue?: string;
  readonly parent?: RunLink;
  readonly thread?: string;
  /** A `pending` run starts at this time (epoch ms), not before. */
  readonly wakeAt?: number;
  /** Take the run's lease in the same write: the process creating the run drives it. */
  readonly owner?: LeaseRequest;
  readonly createdBy?: Actor;
  /**
   * The run's first records, stored in the same commit as the run itself, and only if it is
   * created: its step 0 (seed task and checkpoint 0) and its first history entries.
   */
  readonly first?: {
    readonly task?: TaskRecord;
    readonly checkpoint?: Checkpoint;
    readonly history?: readonly NewHistoryEvent[];
  };
}

/** Who asks for a run's lease, and for how long. The store adds this process's host and pid. */
export interface LeaseRequest {
  readonly id: string;
  readonly leaseMs: number;
}

/** What `acquireRun` did: took the lease (from `previous`, when someone held it), or found it held. */
export type AcquireResult =
  | { readonly acquired: true; readonly owner: RunOwner; readonly previous?: RunOwner }
  | { readonly acquired: false; readonly holder?: RunOwner; readonly missing?: true };

/** One task of a step: a node triggered by edges, or a `Send` with its own input. */
export interface TaskSpec {
  /** Unique within the step: the node name, or `node#i` for the i-th `Send` to it. */
  readonly id: string;
  readonly node: string;
  readonly input?: unknown;
}

export type TaskStatus = "succeeded" | "failed" | "continued" | "retrying" | "interrupted" | "waiting";

/**
 * What a node's durable calls returned, in call order, so the node's code finds them again when it
 * runs after a wait: `ctx.once` results, and the fixed ends of its sleeps and event waits.
 */
export type JournalEntry =
  | { readonly kind: "once"; readonly name: string; readonly value: unknown }
  | { readonly kind: "sleep"; readonly until: number }
  | { readonly kind: "event"; readonly event: string; readonly until?: number }
  | ChildEntry;

/**
 * A child run a task started (`ctx.runChild`, a subgraph node): its id, how many of its end
 * notices the task took, and the attempt that saw it fail (a later attempt retries it).
 */
export interface ChildEntry {
  readonly kind: "child";
  readonly runId: string;
  notices?: number;
  failedIn?: number;
}

export interface AttemptInfo {
  readonly attempt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly error?: ErrorInfo;
}

/**
 * What a task left behind, stored the moment it happens. `succeeded` and `continued` (a failure
 * recorded under the error key) tasks are finished: their writes count and they never run again.
 */
export interface TaskRecord {
  readonly runId: string;
  readonly step: number;
  readonly taskId: string;
  readonly node: string;
  readonly status: TaskStatus;
  readonly attempts: number;
  /** Ordered writes `[key, update]`; `set` writes (a fork's seed) replace instead of reducing. */
  readonly writes?: ReadonlyArray<readonly [string, unknown]>;
  readonly mode?: "set";
  /** Targets of a returned `Command`. */
  readonly goto?: ReadonlyArray<TaskTarget>;
  readonly error?: ErrorInfo;
  /** When a retrying task's next attempt is due (epoch ms). */
  readonly nextDueAt?: number;
  readonly interrupts?: readonly unknown[];
  readonly resumes?: readonly unknown[];
  /** A `waiting` task's durable calls so far (see `JournalEntry`). */
  readonly journal?: readonly JournalEntry[];
  /** What a `waiting` task waits for. */
  readonly wait?: WaitInfo;
  readonly history?: readonly AttemptInfo[];
  /** Completion order within the run; compensation runs in reverse of it. */
  readonly seq: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

export type TaskTarget = string | { readonly node: string; readonly input: unknown };

/** Written after each step: what runs next and how far each join has got. State lives in the task writes. */
export interface Checkpoint {
  readonly runId: string;
  readonly step: number;
  readonly next: readonly TaskSpec[];
  /** Join edge index -> sources that have finished since the join last fired. */
  readonly joins: Readonly<Record<string, readonly string[]>>;
  readonly createdAt: number;
}

export interface CompensationRecord {
  readonly runId: string;
  /** When the undo's last attempt began. */
  readonly startedAt?: number;
  /** `step:taskId` of the task being undone. */
  readonly taskKey: string;
  readonly node: string;
  readonly status: "done" | "failed";
  readonly attempts: number;
  readonly error?: ErrorInfo;
  readonly finishedAt: number;
}
