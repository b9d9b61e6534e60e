import type { ErrorInfo } from "../../errors.js";
import type {
  AttemptInfo,
  Checkpoint,
  CompensationRecord,
  InterruptInfo,
  RunRecord,
  RunStatus,
  TaskRecord,
  TaskSpec,
  TaskStatus,
  TaskTarget,
} from "../../engine/records.js";
import { ms } from "./db.js";

/**
 * Column lists and row-to-record mapping, shared by the statements. Absent optional fields are SQL
 * NULLs and come back absent, as the memory store returns them; times come back as epoch ms.
 */

export const runColumns = (t: string) => `${t}.id, ${t}.graph, ${t}.graph_hash, ${t}.status, ${t}.input,
  ${t}.input IS NULL AS no_input, ${t}.step, ${t}.queue, ${t}.error, ${t}.interrupts, ${t}.cancel_requested,
  ${t}.parent_run_id, ${t}.parent_step, ${ms(`${t}.created_at`, "created_at")}, ${ms(`${t}.updated_at`, "updated_at")}`;

export interface RunRow {
  id: string;
  graph: string;
  graph_hash: string;
  status: RunStatus;
  input: unknown;
  no_input: boolean;
  step: number;
  queue: string;
  error: ErrorInfo | null;
  interrupts: InterruptInfo[] | null;
  cancel_requested: { compensate: boolean } | null;
  parent_run_id: string | null;
  parent_step: number | null;
  created_at: number;
  updated_at: number;
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    graph: row.graph,
    graphHash: row.graph_hash,
    status: row.status,
    // SQL NULL is "no input"; JSON null is stored as jsonb 'null' and comes back as null.
    input: row.no_input ? undefined : row.input,
    step: row.step,
    queue: row.queue,
    ...(row.error !== null ? { error: row.error } : {}),
    ...(row.interrupts !== null ? { interrupts: row.interrupts } : {}),
    ...(row.cancel_requested !== null ? { cancelRequested: row.cancel_requested } : {}),
    ...(row.parent_run_id !== null ? { parent: { runId: row.parent_run_id, step: row.parent_step ?? 0 } } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export const TASK_COLUMNS = `run_id, step, task_id, node, status, attempts, seq, writes, mode, goto, error,
  ${ms("next_due_at", "next_due_at")}, interrupts, resumes, history,
  ${ms("started_at", "started_at")}, ${ms("finished_at", "finished_at")}`;

export interface TaskRow {
  run_id: string;
  step: number;
  task_id: string;
  node: string;
  status: TaskStatus;
  attempts: number;
  seq: number;
  writes: Array<[string, unknown]> | null;
  mode: "set" | null;
  goto: TaskTarget[] | null;
  error: ErrorInfo | null;
  next_due_at: number | null;
  interrupts: unknown[] | null;
  resumes: unknown[] | null;
  history: AttemptInfo[] | null;
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
    ...(row.writes !== null ? { writes: row.writes } : {}),
    ...(row.mode !== null ? { mode: row.mode } : {}),
    ...(row.goto !== null ? { goto: row.goto } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    ...(row.next_due_at !== null ? { nextDueAt: row.next_due_at } : {}),
    ...(row.interrupts !== null ? { interrupts: row.interrupts } : {}),
    ...(row.resumes !== null ? { resumes: row.resumes } : {}),
    ...(row.history !== null ? { history: row.history } : {}),
    seq: row.seq,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export const CHECKPOINT_COLUMNS = `run_id, step, next, joins, ${ms("created_at", "created_at")}`;

export interface CheckpointRow {
  run_id: string;
  step: number;
  next: TaskSpec[];
  joins: Record<string, string[]>;
  created_at: number;
}

export const checkpointFromRow = (row: CheckpointRow): Checkpoint => ({
  runId: row.run_id,
  step: row.step,
  next: row.next,
  joins: row.joins,
  createdAt: row.created_at,
});

export const COMPENSATION_COLUMNS = `run_id, task_key, node, status, attempts, error,
  ${ms("finished_at", "finished_at")}`;

export interface CompensationRow {
  run_id: string;
  task_key: string;
  node: string;
  status: "done" | "failed";
  attempts: number;
  error: ErrorInfo | null;
  finished_at: number;
}

export const compensationFromRow = (row: CompensationRow): CompensationRecord => ({
  runId: row.run_id,
  taskKey: row.task_key,
  node: row.node,
  status: row.status,
  attempts: row.attempts,
  ...(row.error !== null ? { error: row.error } : {}),
  finishedAt: row.finished_at,
});
