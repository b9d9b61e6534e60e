/**
 * The run drawn from its append-only history: one row per task (every attempt it ever made, across
 * retries, resumes and takeovers), waits for input and retry backoffs as waiting bars, one row per
 * undo with its own start and end, and the actions on the run (cancel, approval, retry, fork,
 * owner changes) as marks in time. Entries of kinds this page does not know become generic marks.
 */
import type { ErrorInfo, HistoryEvent, RunDetail, TaskSpec } from "../../../src/http/api-types.js";
import { describeEntry } from "./history-text.js";

export type BarKind =
  | "succeeded"
  | "continued"
  | "failed"
  | "timeout"
  | "interrupted"
  | "cancelled"
  | "stopped"
  | "running"
  | "waiting"
  | "backoff"
  | "undo"
  | "undo-failed"
  | "undo-retrying";

/** Bars that are time spent waiting, not work. */
export const WAITING_KINDS: ReadonlySet<BarKind> = new Set(["waiting", "backoff"]);

export interface Bar {
  readonly kind: BarKind;
  readonly start: number;
  readonly end: number;
  readonly attempt?: number;
  /** Still going on (drawn to "now"). */
  readonly open?: boolean;
  readonly note?: string;
  readonly error?: ErrorInfo;
}

export interface TimelineRow {
  /** `task:<step>:<taskId>` or `undo:<taskKey>` */
  readonly key: string;
  readonly group: "task" | "undo";
  readonly node: string;
  readonly taskId?: string;
  readonly step?: number;
  /** What the row is called: the task id, with a `Send`'s label when it has one. */
  readonly label: string;
  readonly input?: unknown;
  readonly bars: Bar[];
  /** Attempts made (undo attempts for undo rows). */
  attempts: number;
}

export interface Mark {
  readonly at: number;
  readonly seq: number;
  readonly type: string;
  /** Short: "approved by dana". */
  readonly label: string;
  /** The row the mark belongs to, when it is about one task. */
  readonly rowKey?: string;
  readonly tone: "action" | "end" | "owner" | "other";
}

export interface Timeline {
  readonly start: number;
  readonly end: number;
  readonly rows: readonly TimelineRow[];
  readonly marks: readonly Mark[];
}

const DRIVEN = new Set(["running", "compensating", "pending"]);
const isSeed = (node: string, step: number) => step === 0 || node.startsWith("__");

/** The Send payloads of each step's tasks, from the checkpoints that planned them. */
function plannedInputs(detail: RunDetail): Map<string, TaskSpec> {
  const out = new Map<string, TaskSpec>();
  for (const c of detail.checkpoints)
    for (const spec of c.next) if (spec.input !== undefined) out.set(`${c.step + 1}:${spec.id}`, spec);
  return out;
}

export function buildTimeline(detail: RunDetail, now: number, label: (row: RowSeed) => string): Timeline {
  const { run } = detail;
  const driven = DRIVEN.has(run.status);
  // Waits still open end now while the run stands still for them, else when it last changed.
  const openEnd = run.status === "interrupted" || !isKnownStop(run.status) ? now : run.updatedAt;
  const planned = plannedInputs(detail);
  const rows = new Map<string, TimelineRow>();
  const marks: Mark[] = [];
  const row = (seed: RowSeed): TimelineRow => {
    let r = rows.get(seed.key);
    if (!r) {
      const input = seed.input ?? planned.get(`${seed.step}:${seed.taskId}`)?.input;
      const full = { ...seed, ...(input !== undefined ? { input } : {}) };
      r = { ...full, label: label(full), bars: [], attempts: 0 };
      rows.set(seed.key, r);
    }
    return r;
  };
  const pendingWait = new Map<string, PendingWait>();
  for (const e of detail.history) {
    const text = describeEntry(e);
    switch (e.type) {
      case "attempt": {
        if (isSeed(e.node, e.step)) break;
        const r = row(taskSeed(e.step, e.taskId, e.node, e.input));
        closeBackoff(r, e.startedAt);
        // The attempt that began a wait leaves it open; a later one ends it (if nothing did before).
        const open = pendingWait.get(r.key);
        if (e.outcome !== "waiting" && open?.wait)
          closeWait(r, pendingWait, e.startedAt > open.start ? e.startedAt : e.finishedAt);
        // A task resumed after a wait keeps its first start on record: its attempt began after the wait.
        const waited = Math.max(-Infinity, ...r.bars.filter((b) => b.kind === "waiting").map((b) => b.end));
        const startedAt = Math.min(Math.max(e.startedAt, waited), e.finishedAt);
        r.bars.push({
          kind: attemptKind(e.outcome, e.error),
          start: startedAt,
          end: Math.max(startedAt, e.finishedAt),
          attempt: e.attempt,
          ...(e.error ? { error: e.error, note: e.error.message } : {}),
        });
        r.attempts = Math.max(r.attempts, e.attempt);
        if (e.outcome === "retrying" && e.retryInMs !== undefined) {
          const due = e.finishedAt + e.retryInMs;
          r.bars.push({
            kind: "backoff",
            start: e.finishedAt,
            end: driven ? due : Math.min(due, openEnd),
            open: true,
            note: `retry ${e.attempt + 1} due after ${e.retryInMs} ms`,
          });
        }
        break;
      }
      case "interrupt_asked": {
        const key = taskKey(e.step, e.taskId);
        row(taskSeed(e.step, e.taskId, e.node));
        pendingWait.set(key, { start: e.at });
        marks.push(mark(e, text, key, "other"));
        break;
      }
      case "wait_started": {
        const key = taskKey(e.step, e.taskId);
        row(taskSeed(e.step, e.taskId, e.node));
        pendingWait.set(key, { start: e.at, note: text, wait: true });
        break;
      }
      case "event_received":
      case "event_timed_out": {
        closeWait(row(taskSeed(e.step, e.taskId, e.node)), pendingWait, e.at);
        marks.push(
          mark(e, text, taskKey(e.step, e.taskId), e.type === "event_received" ? "action" : "other"),
        );
        break;
      }
      case "event_sent":
        marks.push(mark(e, text, undefined, "action"));
        break;
      case "woke":
        // The run woke (its time came, its event arrived, it started): its sleeps are over.
        for (const [key, w] of [...pendingWait]) if (w.wait) closeWait(rows.get(key)!, pendingWait, e.at);
        marks.push(mark(e, text, undefined, "owner"));
        break;
      case "interrupt_answered": {
        const key = taskKey(e.step, e.taskId);
        const r = row(taskSeed(e.step, e.taskId, e.node));
        const wait = pendingWait.get(key);
        pendingWait.delete(key);
        r.bars.push({
          kind: "waiting",
          start: wait?.start ?? e.at - e.waitedMs,
          end: e.at,
          note: `waited ${Math.round(e.waitedMs)} ms for input; ${text}`,
        });
        marks.push(mark(e, text, key, "action"));
        break;
      }
      case "undo": {
        const key = `undo:${e.taskKey}`;
        const r = rows.get(key) ?? row({ key, group: "undo", node: e.node });
        r.bars.push({
          kind: e.outcome === "done" ? "undo" : e.outcome === "failed" ? "undo-failed" : "undo-retrying",
          start: e.startedAt,
          end: Math.max(e.startedAt, e.finishedAt),
          attempt: e.attempt,
          ...(e.error ? { error: e.error, note: e.error.message } : {}),
        });
        r.attempts = Math.max(r.attempts, e.attempt);
        break;
      }
      case "run_created":
        marks.push(mark(e, text, undefined, "other"));
        break;
      case "run_finished":
      case "stopped":
        marks.push(mark(e, text, undefined, "end"));
        break;
      case "owner_taken":
      case "owner_lost":
        marks.push(mark(e, text, undefined, "owner"));
        break;
      case "cancel_requested":
      case "resumed":
      case "retried":
      case "forked":
        marks.push(mark(e, text, undefined, "action"));
        break;
      default:
        marks.push(mark(e, text, unknownRowKey(e), "other"));
    }
  }
  for (const [key, wait] of pendingWait) {
    const r = rows.get(key)!;
    r.bars.push({
      kind: "waiting",
      start: wait.start,
      end: Math.max(wait.start, openEnd),
      open: true,
      note: wait.note ?? "waiting for input",
    });
  }
  if (run.status === "running") addRunning(detail, now, row);
  for (const r of rows.values()) r.bars.sort((a, b) => a.start - b.start || a.end - b.end);
  const all = [...rows.values()].filter((r) => r.bars.length > 0);
  const firstStart = (r: TimelineRow) => r.bars[0]!.start;
  const tasks = all
    .filter((r) => r.group === "task")
    .sort(
      (a, b) => (a.step ?? 0) - (b.step ?? 0) || firstStart(a) - firstStart(b) || a.key.localeCompare(b.key),
    );
  const undos = all.filter((r) => r.group === "undo").sort((a, b) => firstStart(a) - firstStart(b));
  const times = all.flatMap((r) => r.bars.flatMap((b) => [b.start, b.end])).concat(marks.map((m) => m.at));
  const start = Math.min(run.createdAt, ...times);
  const end = Math.max(start + 1, driven ? now : run.updatedAt, ...times);
  return { start, end, rows: [...tasks, ...undos], marks };
}

export interface RowSeed {
  readonly key: string;
  readonly group: "task" | "undo";
  readonly node: string;
  readonly taskId?: string;
  readonly step?: number;
  readonly input?: unknown;
}

export const taskKey = (step: number, taskId: string) => `task:${step}:${taskId}`;

const taskSeed = (step: number, taskId: string, node: string, input?: unknown): RowSeed => ({
  key: taskKey(step, taskId),
  group: "task",
  node,
  taskId,
  step,
  ...(input !== undefined ? { input } : {}),
});

/** A wait still open: for an answer (an interrupt), or for a time or an event (`wait`). */
interface PendingWait {
  readonly start: number;
  readonly note?: string;
  readonly wait?: true;
}

/** A sleep or event wait ends when its event came, it timed out, or the task ran again. */
function closeWait(r: TimelineRow, pending: Map<string, PendingWait>, at: number): void {
  const wait = pending.get(r.key);
  if (!wait || r.group !== "task") return;
  pending.delete(r.key);
  r.bars.push({
    kind: "waiting",
    start: wait.start,
    end: Math.max(wait.start, at),
    note: wait.note ?? "waited",
  });
}

/** A backoff drawn up to its due time ends where the next attempt really started. */
function closeBackoff(r: TimelineRow, startedAt: number): void {
  const last = r.bars.at(-1);
  if (last?.kind === "backoff" && last.open)
    r.bars[r.bars.length - 1] = { ...last, end: Math.max(last.start, startedAt), open: false };
}

function attemptKind(outcome: string, error: ErrorInfo | undefined): BarKind {
  if (error?.code === "NODE_TIMEOUT" && outcome !== "continued") return "timeout";
  switch (outcome) {
    case "succeeded":
      return "succeeded";
    case "continued":
      return "continued";
    case "interrupted":
    case "waiting":
      return "interrupted";
    case "cancelled":
      return "cancelled";
    case "stopped":
      return "stopped";
    default:
      return "failed";
  }
}

/** Tasks of the step under way with no attempt recorded yet: running since the step began. */
function addRunning(detail: RunDetail, now: number, row: (seed: RowSeed) => TimelineRow): void {
  const step = detail.run.step + 1;
  const since = detail.checkpoints.at(-1)?.createdAt ?? detail.run.createdAt;
  for (const spec of detail.next) {
    const r = row(taskSeed(step, spec.id, spec.node, spec.input));
    const last = r.bars.at(-1);
    if (last && (last.kind === "succeeded" || last.kind === "continued" || last.kind === "waiting")) continue;
    const started = [...detail.events]
      .reverse()
      .find((e) => e.type === "node_started" && e.taskId === spec.id && e.step === step);
    const from = Math.max(started?.at ?? since, last?.end ?? since);
    if (last?.kind === "backoff" && last.open && last.end > now) continue;
    r.bars.push({ kind: "running", start: from, end: Math.max(from, now), open: true, note: "running now" });
  }
}

const KNOWN_STOPS = new Set(["completed", "failed", "cancelled", "compensated", "compensation_failed"]);
const isKnownStop = (status: string) => KNOWN_STOPS.has(status) || DRIVEN.has(status);

function mark(e: HistoryEvent, label: string, rowKey: string | undefined, tone: Mark["tone"]): Mark {
  return { at: e.at, seq: e.seq, type: e.type, label, tone, ...(rowKey ? { rowKey } : {}) };
}

/** Entries of kinds added later that name a task still belong to its row. */
function unknownRowKey(e: HistoryEvent): string | undefined {
  const x = e as unknown as { step?: unknown; taskId?: unknown };
  return typeof x.step === "number" && typeof x.taskId === "string" ? taskKey(x.step, x.taskId) : undefined;
}
