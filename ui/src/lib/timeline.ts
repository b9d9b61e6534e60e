/**
 * The run as bars on a time axis: one row per task (step · task), one bar per attempt (a retry is a
 * new bar; the wait between attempts is a thin backoff bar), then one row per undo of the saga.
 * Built from the stored records alone, so it looks the same for runs this server never saw run;
 * engine events, when the server has them, give exact start times of undos and running attempts.
 */
import type { FeedEvent, RunDetail, TaskRecord } from "../../../src/http/api-types.js";

export type SegmentKind =
  | "succeeded"
  | "failed"
  | "timeout"
  | "backoff"
  | "interrupted"
  | "waiting"
  | "running"
  | "continued"
  | "undo"
  | "undo-failed";

export interface Segment {
  readonly kind: SegmentKind;
  readonly start: number;
  readonly end: number;
  /** 1-based attempt number, for attempt and undo bars. */
  readonly attempt?: number;
  readonly note?: string;
}

export interface TimelineRow {
  readonly key: string;
  readonly label: string;
  readonly group: "task" | "undo";
  readonly step?: number;
  readonly node: string;
  readonly segments: readonly Segment[];
}

export interface Timeline {
  readonly start: number;
  readonly end: number;
  readonly rows: readonly TimelineRow[];
}

const LIVE = new Set(["running", "compensating", "pending"]);

export function buildTimeline(detail: RunDetail, now: number): Timeline {
  const { run } = detail;
  const live = LIVE.has(run.status) || run.status === "interrupted";
  const tasks = detail.tasks.filter((t) => t.step > 0 && !t.node.startsWith("__"));
  const rows: TimelineRow[] = tasks
    .sort((a, b) => a.step - b.step || a.startedAt - b.startedAt || a.taskId.localeCompare(b.taskId))
    .map((t) => ({
      key: `task:${t.step}:${t.taskId}`,
      label: `${t.step} · ${t.taskId}`,
      group: "task" as const,
      step: t.step,
      node: t.node,
      segments: splitPause(taskSegments(t, run.status === "interrupted" ? now : undefined), t, detail.events),
    }));
  rows.push(...runningRows(detail, now));
  rows.push(...undoRows(detail, tasks));
  const ends = rows.flatMap((r) => r.segments.map((s) => s.end));
  const end = Math.max(run.createdAt + 1, live ? now : run.updatedAt, ...ends);
  return { start: run.createdAt, end, rows };
}

function taskSegments(t: TaskRecord, waitingUntil: number | undefined): Segment[] {
  const attempts = t.history ?? [];
  const segs: Segment[] = [];
  attempts.forEach((a, i) => {
    if (i > 0) segs.push({ kind: "backoff", start: attempts[i - 1]!.finishedAt, end: a.startedAt });
    const kind: SegmentKind = a.error
      ? a.error.code === "NODE_TIMEOUT"
        ? "timeout"
        : "failed"
      : "succeeded";
    segs.push({
      kind,
      start: a.startedAt,
      end: a.finishedAt,
      attempt: a.attempt,
      ...(a.error ? { note: a.error.message } : {}),
    });
  });
  const last = attempts.at(-1);
  if (t.status === "retrying" && last && t.nextDueAt !== undefined)
    segs.push({ kind: "backoff", start: last.finishedAt, end: t.nextDueAt, note: "next attempt due" });
  if (t.status === "continued" && segs.length > 0) {
    const final = segs.pop()!;
    segs.push({ ...final, kind: final.kind === "timeout" ? "timeout" : "continued" });
  }
  if (attempts.length === 0 || t.status === "interrupted") {
    // One attempt, or the attempt that paused: the record's own times.
    const start = last ? last.finishedAt : t.startedAt;
    const kind: SegmentKind =
      t.status === "interrupted"
        ? "interrupted"
        : t.status === "failed"
          ? "failed"
          : t.status === "continued"
            ? "continued"
            : "succeeded";
    segs.push({
      kind,
      start,
      end: t.finishedAt,
      attempt: t.attempts || 1,
      ...(t.error ? { note: t.error.message } : {}),
    });
  }
  if (t.status === "interrupted" && waitingUntil !== undefined)
    segs.push({ kind: "waiting", start: t.finishedAt, end: waitingUntil, note: "waiting for input" });
  return segs;
}

/**
 * A task that paused for input and then finished is stored as one span; when this server saw the
 * pause and the new attempt, show the pause, the wait, and the attempt after it.
 */
function splitPause(segs: Segment[], t: TaskRecord, events: readonly FeedEvent[]): Segment[] {
  if (t.status !== "succeeded" || segs.length !== 1) return segs;
  const same = (e: FeedEvent) => "taskId" in e && e.taskId === t.taskId && "step" in e && e.step === t.step;
  const paused = firstEvent(events, (e) => e.type === "interrupted" && same(e));
  const again = paused && lastEvent(events, (e) => e.type === "node_started" && same(e) && e.at >= paused.at);
  if (!paused || !again) return segs;
  return [
    { kind: "interrupted", start: t.startedAt, end: paused.at },
    { kind: "waiting", start: paused.at, end: again.at, note: "waiting for input" },
    { ...segs[0]!, start: again.at },
  ];
}

/** Tasks of the step under way that have no record yet: running since their start event, or the checkpoint. */
function runningRows(detail: RunDetail, now: number): TimelineRow[] {
  if (detail.run.status !== "running") return [];
  const step = detail.run.step + 1;
  const recorded = new Set(detail.tasks.filter((t) => t.step === step).map((t) => t.taskId));
  const since = detail.checkpoints.at(-1)?.createdAt ?? detail.run.createdAt;
  return detail.next
    .filter((n) => !recorded.has(n.id))
    .map((n) => {
      const started = lastEvent(
        detail.events,
        (e) => e.type === "node_started" && e.taskId === n.id && e.step === step,
      );
      return {
        key: `task:${step}:${n.id}`,
        label: `${step} · ${n.id}`,
        group: "task" as const,
        step,
        node: n.node,
        segments: [{ kind: "running" as const, start: started?.at ?? since, end: now }],
      };
    });
}

/** Undos run one after another, newest task first: each starts when the one before ended. */
function undoRows(detail: RunDetail, tasks: readonly TaskRecord[]): TimelineRow[] {
  // The saga undoes in reverse order of completion (`seq`); clocks alone tie within a millisecond.
  const seq = new Map(tasks.map((t) => [`${t.step}:${t.taskId}`, t.seq]));
  const undos = [...detail.compensations].sort(
    (a, b) => (seq.get(b.taskKey) ?? 0) - (seq.get(a.taskKey) ?? 0) || a.finishedAt - b.finishedAt,
  );
  let cursor = Math.max(detail.run.createdAt, ...tasks.map((t) => t.finishedAt));
  return undos.map((u) => {
    const started = firstEvent(
      detail.events,
      (e) => e.type === "compensation_step" && e.taskKey === u.taskKey && e.status === "started",
    );
    const start = Math.min(started?.at ?? cursor, u.finishedAt);
    cursor = u.finishedAt;
    return {
      key: `undo:${u.taskKey}`,
      label: `undo ${u.node}`,
      group: "undo" as const,
      node: u.node,
      segments: [
        {
          kind: u.status === "done" ? ("undo" as const) : ("undo-failed" as const),
          start,
          end: u.finishedAt,
          attempt: u.attempts,
          ...(u.error ? { note: u.error.message } : {}),
        },
      ],
    };
  });
}

function firstEvent(events: readonly FeedEvent[], match: (e: FeedEvent) => boolean): FeedEvent | undefined {
  return events.find(match);
}

function lastEvent(events: readonly FeedEvent[], match: (e: FeedEvent) => boolean): FeedEvent | undefined {
  return [...events].reverse().find(match);
}
