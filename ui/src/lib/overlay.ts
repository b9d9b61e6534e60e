/**
 * What a run did to its graph: each node's status (from its task records and the compensation
 * records) and the edges the run actually took (from which nodes ran in which step).
 */
import type { GraphView, RunDetail, TaskRecord } from "../../../src/http/api-types.js";
import { END, graphEdges, type LayoutEdge, START } from "./layout.js";

export type NodeStatus =
  | "idle"
  | "pending"
  | "running"
  | "retrying"
  | "succeeded"
  | "continued"
  | "failed"
  | "interrupted";

export interface NodeState {
  readonly status: NodeStatus;
  /** Set when the saga undid this node: done, or failed to. */
  readonly undo?: "done" | "failed";
  /** How many tasks of this node ran (loops, `Send` fan-out). */
  readonly runs: number;
  readonly steps: readonly number[];
}

const TERMINAL = new Set(["completed", "failed", "cancelled", "compensated", "compensation_failed"]);
/** Step 0 holds the run's input (or a fork's seed), not a node. */
const isSeed = (t: TaskRecord) => t.step === 0 || t.node.startsWith("__");

/** The status each node shows on the graph. */
export function nodeStates(graph: GraphView, detail: RunDetail): Map<string, NodeState> {
  const byNode = new Map<string, TaskRecord[]>();
  for (const t of detail.tasks) if (!isSeed(t)) byNode.set(t.node, [...(byNode.get(t.node) ?? []), t]);
  const undo = new Map(detail.compensations.map((c) => [c.node, c.status] as const));
  const next = new Set(detail.next.map((n) => n.node));
  const upcoming = detail.run.step + 1;
  const out = new Map<string, NodeState>();
  for (const { name } of graph.nodes) {
    const tasks = byNode.get(name) ?? [];
    const lastStep = Math.max(-1, ...tasks.map((t) => t.step));
    let status: NodeStatus = tasks.length > 0 ? worst(tasks.filter((t) => t.step === lastStep)) : "idle";
    // Due in the step under way, and no record of it yet: running now (or waiting its turn).
    if (next.has(name) && lastStep < upcoming && !TERMINAL.has(detail.run.status))
      status = detail.run.status === "running" ? "running" : "pending";
    if (status === "retrying" && TERMINAL.has(detail.run.status)) status = "failed";
    const u = undo.get(name);
    out.set(name, {
      status,
      ...(u ? { undo: u } : {}),
      runs: tasks.length,
      steps: [...new Set(tasks.map((t) => t.step))].sort((a, b) => a - b),
    });
  }
  return out;
}

function worst(tasks: readonly TaskRecord[]): NodeStatus {
  const has = (s: string) => tasks.some((t) => t.status === s);
  if (has("failed")) return "failed";
  if (has("retrying")) return "retrying";
  if (has("interrupted")) return "interrupted";
  if (has("continued")) return "continued";
  return "succeeded";
}

/**
 * The edges the run took: a→b where a finished in the step just before b was tried (any earlier step
 * for a join's sources), START → the first step's nodes, and the last step's nodes → END when the run
 * completed. A router without a path map may have gone anywhere: the edges it took are added.
 */
export function takenEdges(graph: GraphView, detail: RunDetail): LayoutEdge[] {
  const finished = stepsBy(
    detail.tasks.filter((t) => !isSeed(t) && (t.status === "succeeded" || t.status === "continued")),
  );
  const tried = stepsBy(detail.tasks.filter((t) => !isSeed(t)));
  if (!TERMINAL.has(detail.run.status))
    for (const n of detail.next) tried.set(n.node, [...(tried.get(n.node) ?? []), detail.run.step + 1]);
  const at = (m: Map<string, number[]>, node: string) => m.get(node) ?? [];
  const lastStep = Math.max(0, ...detail.tasks.map((t) => t.step));
  const candidates = graphEdges(graph);
  for (const b of graph.branches) {
    if (b.paths !== null) continue;
    for (const other of graph.nodes) candidates.push({ from: b.from, to: other.name, kind: "taken" });
    candidates.push({ from: b.from, to: END, kind: "taken" });
  }
  const seen = new Set<string>();
  const taken: LayoutEdge[] = [];
  for (const e of candidates) {
    let hit: boolean;
    if (e.from === START) hit = at(tried, e.to).includes(1);
    else if (e.to === END) hit = detail.run.status === "completed" && at(finished, e.from).includes(lastStep);
    else if (e.kind === "join") hit = at(tried, e.to).some((s) => at(finished, e.from).some((f) => f < s));
    else hit = at(tried, e.to).some((s) => at(finished, e.from).includes(s - 1));
    const key = `${e.from}>${e.to}`;
    if (hit && !seen.has(key)) {
      seen.add(key);
      taken.push(e);
    }
  }
  return taken;
}

function stepsBy(tasks: readonly TaskRecord[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const t of tasks) m.set(t.node, [...(m.get(t.node) ?? []), t.step]);
  return m;
}
