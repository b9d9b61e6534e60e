import type { HistoryEvent, HistoryPage, NewHistoryEvent } from "./history.js";
import { type RunRecord, stopsRun, type TaskRecord } from "./records.js";
import type { Store } from "./store.js";

/**
 * A run's whole history, in order. Most of it is stored as entries; three kinds of entry are the
 * run's own records instead, so the hot path writes nothing extra: the run's creation (its row:
 * input, workflow, who, when, parent), each attempt that succeeded (its task record, final and
 * never rewritten once it says `succeeded`), and how a stopped run ended (its row's status, until
 * a resume or retry moves it on and records that ending as an entry). Every other attempt (failed,
 * retried, interrupted, cancelled) and every action is stored as an entry when it happens.
 *
 * Entries are ordered by time; within one millisecond, actions on the run (resumes, answers,
 * owners) come before the attempts they lead to and endings after them, then recording order.
 * `seq` is an entry's position (from 1), so `after` pages through it.
 */
export async function readHistory(
  store: Store,
  run: RunRecord,
  page: HistoryPage = {},
): Promise<HistoryEvent[]> {
  const [stored, tasks] = await Promise.all([
    store.listHistory(run.id, { limit: Number.MAX_SAFE_INTEGER }),
    store.listTasks(run.id),
  ]);
  const entries: NewHistoryEvent[] = [created(run)];
  for (const t of tasks) if (t.status === "succeeded" && t.step > 0) entries.push(succeeded(t));
  if (stopsRun(run.status))
    entries.push({
      runId: run.id,
      at: run.updatedAt,
      type: "run_finished",
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
    });
  // Stable: entries with the same time keep the order they were recorded (or derived) in.
  const all = [...entries, ...stored].map((e, i) => ({ e, i }));
  all.sort((a, b) => a.e.at - b.e.at || rank(a.e) - rank(b.e) || a.i - b.i);
  const after = page.after ?? 0;
  return all
    .slice(after, after + (page.limit ?? 1000))
    .map(({ e }, i) => ({ ...stripSeq(e), seq: after + i + 1 }) as HistoryEvent);
}

const ENDINGS = new Set(["run_finished", "stopped", "owner_lost"]);
const WORK = new Set(["attempt", "interrupt_asked", "undo"]);
// A fork is made from a stopped run, so it comes after the ending it shares a millisecond with.
const rank = (e: NewHistoryEvent) =>
  e.type === "run_created" ? 0 : WORK.has(e.type) ? 2 : ENDINGS.has(e.type) ? 3 : e.type === "forked" ? 4 : 1;

const stripSeq = (e: NewHistoryEvent | HistoryEvent): NewHistoryEvent => {
  const { seq: _seq, ...rest } = e as HistoryEvent;
  return rest;
};

function created(run: RunRecord): NewHistoryEvent {
  return {
    runId: run.id,
    at: run.createdAt,
    type: "run_created",
    by: run.createdBy ?? { via: "app" },
    input: run.input,
    graph: run.graph,
    ...(run.parent
      ? {
          from: {
            runId: run.parent.runId,
            step: run.parent.step,
            as: run.parent.kind ?? ("fork" as const),
            ...(run.parent.taskId !== undefined ? { taskId: run.parent.taskId } : {}),
          },
        }
      : {}),
  };
}

/** The attempt a succeeded record stands for: the last of its attempts. */
function succeeded(t: TaskRecord): NewHistoryEvent {
  const last = t.history?.at(-1);
  const startedAt = last && last.attempt === t.attempts ? last.startedAt : t.startedAt;
  return {
    runId: t.runId,
    at: t.finishedAt,
    type: "attempt",
    step: t.step,
    taskId: t.taskId,
    node: t.node,
    attempt: t.attempts,
    startedAt,
    finishedAt: t.finishedAt,
    outcome: "succeeded",
  };
}
