import type { ErrorInfo } from "../errors.js";
import type { RunOwner, RunStatus } from "./records.js";

/**
 * Who did something to a run, and through what. `via` says how (the command line, the HTTP API, a
 * worker, the application embedding Baton, recovery); `who` names the person or process when known.
 */
export interface Actor {
  readonly via: "cli" | "api" | "worker" | "app" | "recover" | "schedule" | "parent";
  readonly who?: string;
}

export type AttemptOutcome =
  | "succeeded"
  | "continued"
  | "failed"
  | "retrying"
  | "interrupted"
  | "waiting"
  | "cancelled"
  | "stopped";

interface TaskRef {
  readonly step: number;
  readonly taskId: string;
  readonly node: string;
}

/**
 * One entry of a run's history, as recorded. The history is append-only: retries, resumes,
 * takeovers and forks add entries and never change or remove earlier ones.
 */
export type RunHistoryEntry =
  | {
      type: "run_created";
      by: Actor;
      input: unknown;
      graph: string;
      from?: { runId: string; step: number; as: "fork" | "subgraph" | "child"; taskId?: string };
    }
  | (TaskRef & {
      type: "attempt";
      attempt: number;
      startedAt: number;
      finishedAt: number;
      outcome: AttemptOutcome;
      error?: ErrorInfo;
      /** A retry was scheduled this long after the attempt ended. */
      retryInMs?: number;
      /** A `Send`'s payload. */
      input?: unknown;
    })
  | (TaskRef & { type: "interrupt_asked"; payload: unknown; schema?: unknown; childRunId?: string })
  | (TaskRef & { type: "interrupt_answered"; value: unknown; by: Actor; waitedMs: number })
  | (TaskRef & { type: "wait_started"; kind: "sleep" | "event"; until?: number; event?: string })
  | (TaskRef & { type: "event_received"; event: string; eventSeq: number })
  | (TaskRef & { type: "event_timed_out"; event: string })
  | { type: "event_sent"; event: string; eventSeq: number; by: Actor }
  | (TaskRef & { type: "child_started"; childRunId: string; kind: "subgraph" | "child"; graph: string })
  | { type: "woke"; by: Actor; why: "time" | "event" | "start" }
  | { type: "state_updated"; by: Actor; step: number; update: unknown; asNode?: string }
  | { type: "cancel_requested"; by: Actor; compensate: boolean }
  | { type: "resumed"; by: Actor; force?: true }
  | { type: "retried"; by: Actor; force?: true }
  | { type: "forked"; by: Actor; step: number; toRunId: string }
  | { type: "owner_taken"; owner: RunOwner; previous?: RunOwner; why?: OwnerGoneReason }
  | { type: "owner_lost"; owner: string }
  | { type: "stopped"; by: Actor; reason: string }
  | {
      type: "undo";
      taskKey: string;
      node: string;
      attempt: number;
      startedAt: number;
      finishedAt: number;
      outcome: "done" | "retrying" | "failed";
      error?: ErrorInfo;
    }
  | { type: "run_finished"; status: RunStatus; error?: ErrorInfo };

export type OwnerGoneReason = "lease expired" | "process exited" | "released";

export type HistoryType = RunHistoryEntry["type"];

/** An entry to store: the run it belongs to and when it happened. */
export type NewHistoryEvent = RunHistoryEntry & { readonly runId: string; readonly at: number };

/** A stored entry: `seq` orders the run's entries as they were recorded (increasing, not always by 1). */
export type HistoryEvent = NewHistoryEvent & { readonly seq: number };

export interface HistoryPage {
  /** Entries after this `seq` (default: from the start). */
  after?: number;
  /** At most this many (default 1,000). */
  limit?: number;
}

/** The application embedding Baton, when a caller names no one. */
export const APP_ACTOR: Actor = { via: "app" };
