/**
 * The JSON shapes the HTTP API answers with. Types only: the dashboard (`ui/`) imports them too,
 * so server and front end cannot drift apart silently.
 */

import type { RunEvent } from "../engine/events.js";
import type { Actor, HistoryEvent, RunHistoryEntry } from "../engine/history.js";
import type { NestedHistoryEvent } from "../engine/nested-history.js";
import type {
  CompensationRecord,
  RunLink,
  RunRecord,
  RunStatus,
  TaskRecord,
  TaskSpec,
} from "../engine/records.js";
import type { ErrorInfo } from "../errors.js";
import type { ScheduleView } from "../schedules/view.js";

export type {
  Actor,
  CompensationRecord,
  ErrorInfo,
  HistoryEvent,
  NestedHistoryEvent,
  RunEvent,
  RunHistoryEntry,
  RunLink,
  RunRecord,
  RunStatus,
  ScheduleView,
  TaskRecord,
  TaskSpec,
};

/** A run's stored record changed; sent for runs executing in other processes (found by polling the store). */
export interface RunChangedEvent {
  readonly type: "run_changed";
  readonly runId: string;
  readonly at: number;
  readonly graph: string;
  readonly status: RunStatus;
  readonly step: number;
}

/** A task or compensation record of a watched run changed (also found by polling the store). */
export interface TaskChangedEvent {
  readonly type: "task_changed";
  readonly runId: string;
  readonly at: number;
  readonly tasks: number;
  readonly compensations: number;
}

/** Everything the live feed (`/api/events`, `/api/runs/:id/events`) carries. */
export type FeedEvent = RunEvent | RunChangedEvent | TaskChangedEvent;

export interface ApiError {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** The body or query field at fault, for validation errors. */
    readonly field?: string;
  };
}

/** `GET /api/runs`: one page of the runs that match, newest first unless sorted otherwise. */
export interface RunList {
  readonly runs: readonly RunRecord[];
  /** Ids of the listed runs whose owner is gone (crashed): `baton recover` resumes them. */
  readonly crashed: readonly string[];
  /** Runs matching every filter (the page is `offset`…`offset + runs.length` of them). */
  readonly total: number;
  /** Runs matching every filter but the status, per status: what each status filter would find. */
  readonly counts: Partial<Record<RunStatus, number>>;
  readonly offset: number;
  readonly limit: number;
}

/** A run that needs a driver and has none alive. */
export interface CrashView {
  readonly why: string;
  readonly since: number;
  /** How to go on. */
  readonly recover: string;
}

export interface CheckpointView {
  readonly step: number;
  readonly createdAt: number;
  readonly next: readonly TaskSpec[];
  readonly joins: Readonly<Record<string, readonly string[]>>;
  /** The state after this step; absent when the run's workflow cannot be loaded here. */
  readonly state?: Record<string, unknown>;
}

export interface RunDetail {
  readonly run: RunRecord;
  /** Whether this server could load the run's workflow (needed for its state and for actions). */
  readonly workflow: { readonly name: string; readonly available: boolean; readonly problem?: string };
  readonly state?: Record<string, unknown>;
  readonly next: readonly TaskSpec[];
  readonly tasks: readonly TaskRecord[];
  readonly checkpoints: readonly CheckpointView[];
  readonly compensations: readonly CompensationRecord[];
  /** Engine events of the run as this server saw them (runs it started or resumed), oldest first. */
  readonly events: readonly FeedEvent[];
  /** Whether the run is executing in this server process right now. */
  readonly local: boolean;
  /** Set when the run's owner is gone (crashed). */
  readonly crashed?: CrashView;
  /** Runs forked from this one (its parent, if it is a fork, is `run.parent`). */
  readonly forks: readonly string[];
  /** Where the run came from (`run.parent`), with the parent's workflow and status when it is still stored. */
  readonly parent?: ParentView;
  /** Runs this run's tasks started: its subgraph nodes' runs and its `ctx.runChild` runs, oldest first. */
  readonly children: readonly ChildRunView[];
  /** The run's append-only history, oldest first (its first 5,000 entries). */
  readonly history: readonly HistoryEvent[];
  /** Set when the history has more entries than the detail carries: page through `/history`. */
  readonly historyMore?: true;
}

/** A run's parent: forked from it (no `kind`), or started by its task `taskId` as a subgraph or child run. */
export interface ParentView extends RunLink {
  readonly graph?: string;
  readonly status?: RunStatus;
}

/** A run started by a task of this run. */
export interface ChildRunView {
  readonly id: string;
  readonly graph: string;
  readonly status: RunStatus;
  readonly kind: "subgraph" | "child";
  readonly taskId: string;
  readonly step: number;
  readonly createdAt: number;
}

/**
 * `GET /api/runs/:id/history?nested=1`: the run's history and its subgraph runs' (recursively), by
 * time, each entry with its `level` (the subgraph node path, `[]` for the run) and `runId`.
 */
export interface NestedHistoryPage {
  readonly events: readonly NestedHistoryEvent[];
  /** The `after` of the next page (a position in the merged list), or null at the end. */
  readonly next: number | null;
}

/** What a start, resume, retry or fork answered: the run and where it stood when the call returned. */
export interface RunAccepted {
  readonly runId: string;
  readonly status: RunStatus;
  /** False when the id named an existing run (starting a run is idempotent by id). */
  readonly created: boolean;
}

export interface WorkflowInfo {
  readonly name: string;
  readonly description?: string;
  readonly shipped: boolean;
  /** Input used when none is given (shipped workflows). */
  readonly defaultInput?: Record<string, unknown>;
}

export interface GraphNodeView {
  readonly name: string;
  readonly retryAttempts?: number;
  readonly timeoutMs?: number;
  readonly compensates: boolean;
  readonly onError: "fail" | "continue";
  /** Nodes a returned `Command` may go to. */
  readonly ends: readonly string[];
  /** A subgraph node: the graph it runs (its `name` is the workflow of its runs, `<outer>/<node>`). */
  readonly subgraph?: GraphView;
}

export interface GraphView {
  readonly name: string;
  readonly hash: string;
  readonly nodes: readonly GraphNodeView[];
  /** Plain edges (one source); `__start__` and `__end__` stand for START and END. */
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** Join edges: `to` runs once every source has finished. */
  readonly joins: ReadonlyArray<{ readonly from: readonly string[]; readonly to: string }>;
  /** Conditional edges; `paths` null when the router names its targets itself (it may go anywhere). */
  readonly branches: ReadonlyArray<{
    readonly from: string;
    readonly paths: Readonly<Record<string, string>> | null;
  }>;
  readonly errorKey?: string;
  readonly mermaid: string;
}
