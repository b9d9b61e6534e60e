import type { RunRecord, RunStatus } from "../../engine/records.js";
import { readHistory } from "../../engine/run-history.js";
import { subgraphByName } from "../../engine/subgraph.js";
import { findWorkflow } from "../../engine/workflow-registry.js";
import { openRuntime, type Runtime, type RuntimeOptions } from "../../host/runtime.js";
import { workflowPathFor } from "../../host/workflow-paths.js";
import { UsageError, wholeNumberOption } from "../exit.js";
import { ownerNote } from "../owner-note.js";
import { waitStatus, waitText } from "../wait-note.js";
import { historyLine } from "./events.js";

/** The store (and MCP servers) for one command; the workflow code is imported only by those that need it. */
async function withRuntime(options: RuntimeOptions, body: (rt: Runtime) => Promise<number>): Promise<number> {
  const rt = await openRuntime(options);
  try {
    return await body(rt);
  } finally {
    await rt.close();
  }
}

const loadWorkflow: typeof import("../../host/load-workflow.js").loadWorkflow = async (ref, ctx) =>
  (await import("../../host/load-workflow.js")).loadWorkflow(ref, ctx);

/** A run as the CLI's JSON shows it: `runId`, as in every other command's output. */
export function runJson(run: RunRecord): Omit<RunRecord, "id"> & { runId: string } {
  const { id, ...rest } = run;
  return { runId: id, ...rest };
}

/** A local time with its UTC offset: `2026-03-01 14:05:09 +01:00`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`;
}

/** Rows under a header, each column as wide as its widest cell; columns listed in `right` right-aligned. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        right.includes(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!),
      )
      .join("  ");
  return [header, ...rows].map(line).join("\n");
}

const STATUSES: readonly RunStatus[] = [
  "pending",
  "running",
  "interrupted",
  "sleeping",
  "waiting",
  "completed",
  "failed",
  "cancelled",
  "compensating",
  "compensated",
  "compensation_failed",
];

/** `baton runs`: the latest runs, newest first. */
export async function runsCommand(
  options: RuntimeOptions & { status?: string; thread?: string; limit?: string; json?: boolean },
): Promise<number> {
  if (options.status && !STATUSES.includes(options.status as RunStatus))
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`);
  const limit = options.limit === undefined ? 20 : wholeNumberOption(options.limit, "--limit", 1);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const runs = await rt.store.listRuns({
      ...(options.status ? { status: options.status as RunStatus } : {}),
      ...(options.thread !== undefined ? { thread: options.thread } : {}),
      limit,
    });
    if (options.json) {
      const rows = runs.map((r) => ({ ...runJson(r), ...(ownerNote(r)?.crashed ? { crashed: true } : {}) }));
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write("no runs\n");
      return 0;
    }
    // A run whose owner is gone says so: it waits for `baton recover`, not for its process.
    const crashed = runs.filter((r) => ownerNote(r)?.crashed);
    const status = (r: RunRecord) =>
      crashed.includes(r) ? `${r.status} (crashed)` : (waitStatus(r) ?? r.status);
    const rows = runs.map((r) => [r.id, status(r), r.graph, String(r.step), localTime(r.createdAt)]);
    process.stdout.write(`${table(["RUN ID", "STATUS", "WORKFLOW", "STEP", "STARTED"], rows, [3])}\n`);
    if (crashed.length > 0)
      process.stdout.write(
        `\n${crashed.length} crashed run${crashed.length > 1 ? "s" : ""} (owner gone): recover with npx baton recover\n`,
      );
    return 0;
  });
}

/** `baton show`: one run's status, state, and optionally its checkpoints. */
export async function showCommand(
  runId: string,
  options: RuntimeOptions & { history?: boolean; events?: boolean; json?: boolean; workflow?: string },
): Promise<number> {
  return withRuntime(options, async (rt) => {
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    const graph = await runWorkflow(rt, run, options.workflow);
    const snapshot = await graph.getState(runId);
    const children = await childRuns(rt, run);
    const history = options.history ? await graph.history(runId) : undefined;
    const tasks = await rt.store.listTasks(runId);
    const events = options.events ? await readHistory(rt.store, run, { limit: 1_000_000 }) : undefined;
    const owner = ownerNote(run);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ run: { ...runJson(run), ...(owner?.crashed ? { crashed: owner.text } : {}) }, state: snapshot.state, next: snapshot.next, tasks, children: children.map(runJson), ...(history ? { history } : {}), ...(events ? { events } : {}) })}\n`,
      );
      return 0;
    }
    const out = [
      `run ${run.id}  ${run.graph}  ${run.status}  step ${run.step}  started ${localTime(run.createdAt)}`,
    ];
    if (run.parent) out.push(parentLine(run.parent));
    if (owner) out.push(owner.text);
    if (run.error) out.push(`error: ${run.error.message}`);
    for (const i of run.interrupts ?? []) out.push(`waiting: ${i.node} ${JSON.stringify(i.payload)}`);
    for (const w of run.waits ?? []) out.push(`waiting: ${waitText(w)}`);
    if (run.status === "pending" && run.wakeAt !== undefined)
      out.push(
        `starts at ${new Date(run.wakeAt).toISOString()} (a runner starts it: baton worker or baton serve)`,
      );
    for (const t of tasks.filter((t) => t.step > 0)) {
      out.push(
        `  step ${String(t.step).padStart(3)}  ${t.taskId.padEnd(28)} ${t.status.padEnd(11)} ${t.finishedAt - t.startedAt}ms${t.attempts > 1 ? `  ${t.attempts} attempts` : ""}${t.error ? `  ${t.error.message}` : ""}`,
      );
    }
    for (const c of await rt.store.listCompensations(runId))
      out.push(`  undo ${c.node.padEnd(26)} ${c.status}${c.error ? `  ${c.error.message}` : ""}`);
    if (children.length > 0) out.push("children:", indent(childTable(run, children)));
    out.push(`state: ${JSON.stringify(snapshot.state, null, 2)}`);
    for (const e of events ?? []) out.push(`  ${historyLine(e)}`);
    for (const h of history ?? [])
      out.push(
        `checkpoint ${h.step}  next: ${h.next.map((t) => t.id).join(", ") || "(end)"}  ${JSON.stringify(h.state)}`,
      );
    process.stdout.write(`${out.join("\n")}\n`);
    return 0;
  });
}

type Graph = Awaited<ReturnType<typeof loadWorkflow>>["graph"];

/**
 * The run's workflow: `--workflow`, else the file `baton run` recorded for its name, else a shipped
 * one; a subgraph node's runs (`<workflow>/<node>`) through the workflow that holds the node.
 */
async function workflowFor(rt: Runtime, name: string, explicit?: string): Promise<Graph> {
  if (explicit) return (await loadWorkflow(explicit, rt.ctx)).graph;
  const ref = workflowPathFor(rt.dbSpec, name);
  const inner = ref
    ? undefined
    : await subgraphByName(name, (outer) => workflowFor(rt, outer).catch(() => undefined));
  return inner ?? (await loadWorkflow(ref ?? name, rt.ctx)).graph;
}

/**
 * A run's workflow; for a child run whose workflow is compiled beside its parent's (`ctx.runChild`
 * with a graph of the parent's file), found once the parent's workflow is loaded.
 */
async function runWorkflow(rt: Runtime, run: RunRecord, explicit?: string): Promise<Graph> {
  try {
    return await workflowFor(rt, run.graph, explicit);
  } catch (error) {
    const parent = !explicit && run.parent?.taskId !== undefined && (await rt.store.getRun(run.parent.runId));
    if (!parent) throw error;
    await runWorkflow(rt, parent);
    const beside = await findWorkflow(rt.store, run.graph);
    if (!beside) throw error;
    return beside as Graph;
  }
}

/** The runs the run's tasks started (subgraph nodes' runs, `ctx.runChild` runs), oldest first; not its forks. */
async function childRuns(rt: Runtime, run: RunRecord): Promise<RunRecord[]> {
  const linked = await rt.store.listRuns({ parent: run.id, limit: 1000 });
  return linked
    .filter((r) => r.parent?.runId === run.id && r.parent.taskId !== undefined)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** `parent: p1 (subgraph of task review at step 2)`, or `forked from p1 at step 3`. */
export function parentLine(parent: NonNullable<RunRecord["parent"]>): string {
  if (parent.taskId === undefined) return `forked from ${parent.runId} at step ${parent.step}`;
  return `parent: ${parent.runId} (${parent.kind ?? "child"} of task ${parent.taskId} at step ${parent.step})`;
}

function childTable(run: RunRecord, children: readonly RunRecord[]): string {
  const rows = children.map((c) => [
    c.id,
    c.parent?.kind ?? "child",
    c.graph,
    waitStatus(c) ?? c.status,
    `task ${c.parent?.taskId ?? "?"} at step ${c.parent?.step ?? run.step}`,
  ]);
  return table(["RUN ID", "KIND", "WORKFLOW", "STATUS", "STARTED BY"], rows);
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/** `baton graph`: draw a workflow. */
export async function graphCommand(
  ref: string,
  options: RuntimeOptions & { format?: string },
): Promise<number> {
  if (options.format && options.format !== "mermaid") throw new UsageError(`--format must be "mermaid"`);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const { graph } = await loadWorkflow(ref, rt.ctx);
    process.stdout.write(`${graph.toMermaid()}\n`);
    return 0;
  });
}
