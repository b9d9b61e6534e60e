import type { Actor } from "../../engine/history.js";
import type {
  AttemptInfo,
  Checkpoint,
  CompensationRecord,
  InterruptInfo,
  JournalEntry,
  RunOwner,
  RunRecord,
  RunStatus,
  TaskRecord,
  TaskSpec,
  TaskStatus,
  TaskTarget,
  WaitInfo,
} from "../../engine/records.js";
import type { ErrorInfo } from "../../errors.js";
import { ms } from "./db.js";
import { fromJsonText as parse } from "./json-codec.js";

/**
 * Column lists and row-to-record mapping, shared by the statements. JSONB columns are read as text
 * and decoded here (see json-codec.ts); SQL NULLs come back as absent fields, as the memory store
 * returns them; times come back as epoch ms.
 */

type Json = string | null;
const text = (column: string, as = column.split(".").pop()!) => `${column}::text AS ${as}`;

export const runColumns = (t: string) =>
  [
    `${t}.id, ${t}.graph, ${t}.graph_hash, ${t}.status`,
    text(`${t}.input`),
    `${t}.step, ${t}.queue`,
    text(`${t}.error`),
    text(`${t}.interrupts`),
    text(`${t}.waits`),
    ms(`${t}.wake_at`, "wake_at"),
    text(`${t}.cancel_requested`),
    `${t}.parent_run_id, ${t}.parent_step, ${t}.parent_task, ${t}.parent_kind, ${t}.thread`,
    `${t}.lease_owner AS owner_id, ${t}.owner_host, ${t}.owner_pid`,
    text(`${t}.created_by`),
    ms(`${t}.owner_since`, "owner_since"),
    ms(`${t}.lease_expires_at`, "owner_expires_at"),
    ms(`${t}.created_at`, "created_at"),
    ms(`${t}.updated_at`, "updated_at"),
  ].join(", ");

export interface RunRow {
  id: string;
  graph: string;
  graph_hash: string;
  status: RunStatus;
  input: Json;
  step: number;
  queue: string;
  error: Json;
  interrupts: Json;
  waits: Json;
  wake_at: number | null;
  cancel_requested: Json;
  parent_run_id: string | null;
  parent_step: number | null;
  parent_task: string | null;
  parent_kind: "subgraph" | "child" | null;
  thread: string | null;
  owner_id: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_since: number | null;
  owner_expires_at: number | null;
  created_by: Json;
  created_at: number;
  updated_at: number;
}

/** The run's lease holder; a worker's claim (002) records no host or pid. */
export function ownerFromRow(
  row: Pick<RunRow, "owner_id" | "owner_host" | "owner_pid" | "owner_since" | "owner_expires_at">,
): RunOwner | undefined {
  if (row.owner_id === null) return undefined;
  return {
    id: row.owner_id,
    host: row.owner_host ?? "",
    pid: row.owner_pid ?? 0,
    since: row.owner_since ?? 0,
    expiresAt: row.owner_expires_at ?? 0,
  };
}

/** Spread into a record: `{ key: value }` when the column held something, else nothing. */
function opt<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    graph: row.graph,
    graphHash: row.graph_hash,
    status: row.status,
    input: parse(row.input),
    step: row.step,
    queue: row.queue,
    ...opt("error", parse<ErrorInfo>(row.error)),
    ...opt("interrupts", parse<InterruptInfo[]>(row.interrupts)),
    ...opt("waits", parse<WaitInfo[]>(row.waits)),
    ...opt("wakeAt", row.wake_at),
    ...opt("cancelRequested", parse<{ compensate: boolean }>(row.cancel_requested)),
    ...opt(
      "parent",
      row.parent_run_id === null
        ? null
        : {
            runId: row.parent_run_id,
            step: row.parent_step ?? 0,
            ...opt("taskId", row.parent_task),
            ...opt("kind", row.parent_kind),
          },
    ),
    ...opt("thread", row.thread),
    ...opt("owner", ownerFromRow(row)),
    ...opt("createdBy", parse<Actor>(row.created_by)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export const TASK_COLUMNS = [
  "run_id, step, task_id, node, status, attempts, seq",
  text("writes"),
  "mode",
  text("goto"),
  text("error"),
  ms("next_due_at", "next_due_at"),
  text("interrupts"),
  text("resumes"),
  text("history"),
  text("journal"),
  text("wait"),
  ms("started_at", "started_at"),
  ms("finished_at", "finished_at"),
].join(", ");

export interface TaskRow {
  run_id: string;
  step: number;
  task_id: string;
  node: string;
  status: TaskStatus;
  attempts: number;
  seq: number;
  writes: Json;
  mode: "set" | null;
  goto: Json;
  error: Json;
  next_due_at: number | null;
  interrupts: Json;
  resumes: Json;
  history: Json;
  journal: Json;
  wait: Json;
  started_at: number;
  finished_at: number;
}

export function taskFromRow(row: TaskRow): TaskRecord {
  return {
    runId: row.run_id,
    step: row.step,
    taskId: row.task_id,
    node: row.node,
    status: row.status,
    attempts: row.attempts,
    ...opt("writes", parse<Array<[string, unknown]>>(row.writes)),
    ...opt("mode", row.mode),
    ...opt("goto", parse<TaskTarget[]>(row.goto)),
    ...opt("error", parse<ErrorInfo>(row.error)),
    ...opt("nextDueAt", row.next_due_at),
    ...opt("interrupts", parse<unknown[]>(row.interrupts)),
    ...opt("resumes", parse<unknown[]>(row.resumes)),
    ...opt("history", parse<AttemptInfo[]>(row.history)),
    ...opt("journal", parse<JournalEntry[]>(row.journal)),
    ...opt("wait", parse<WaitInfo>(row.wait)),
    seq: row.seq,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export const CHECKPOINT_COLUMNS = `run_id, step, ${text("next")}, ${text("joins")}, ${ms("created_at", "created_at")}`;

export interface CheckpointRow {
  run_id: string;
  step: number;
  next: string;
  joins: string;
  created_at: number;
}

export const checkpointFromRow = (row: CheckpointRow): Checkpoint => ({
  runId: row.run_id,
  step: row.step,
  next: parse<TaskSpec[]>(row.next) ?? [],
  joins: parse<Record<string, string[]>>(row.joins) ?? {},
  createdAt: row.created_at,
});

export const COMPENSATION_COLUMNS = `run_id, task_key, node, status, attempts, ${text("error")},
  ${ms("finished_at", "finished_at")}, ${ms("started_at", "started_at")}`;

export interface CompensationRow {
  run_id: string;
  task_key: string;
  node: string;
  status: "done" | "failed";
  attempts: number;
  error: Json;
  finished_at: number;
  started_at: number | null;
}

export const compensationFromRow = (row: CompensationRow): CompensationRecord => ({
  runId: row.run_id,
  taskKey: row.task_key,
  node: row.node,
  status: row.status,
  attempts: row.attempts,
  ...opt("error", parse<ErrorInfo>(row.error)),
  ...opt("startedAt", row.started_at),
  finishedAt: row.finished_at,
});
