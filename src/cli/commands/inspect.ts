import type { RunStatus } from "../../engine/records.js";
import { UsageError, wholeNumberOption } from "../exit.js";
import { loadWorkflow } from "../load-workflow.js";
import type { RuntimeOptions } from "../runtime.js";
import { workflowPathFor } from "../runtime.js";
import { withRuntime } from "./run.js";

const STATUSES: readonly RunStatus[] = [
  "pending",
  "running",
  "interrupted",
  "completed",
  "failed",
  "cancelled",
  "compensating",
  "compensated",
  "compensation_failed",
];

/** `baton runs`: the latest runs, newest first. */
export async function runsCommand(
  options: RuntimeOptions & { status?: string; limit?: string; json?: boolean },
): Promise<number> {
  if (options.status && !STATUSES.includes(options.status as RunStatus))
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`);
  const limit = options.limit === undefined ? 20 : wholeNumberOption(options.limit, "--limit", 1);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const runs = await rt.store.listRuns({
      ...(options.status ? { status: options.status as RunStatus } : {}),
      limit,
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(runs)}\n`);
      return 0;
    }
    if (runs.length === 0) process.stdout.write("no runs\n");
    for (const r of runs) {
      const when = new Date(r.createdAt).toISOString().replace("T", " ").slice(0, 19);
      process.stdout.write(
        `${r.id}  ${r.status.padEnd(19)} ${r.graph.padEnd(20)} step ${String(r.step).padStart(3)}  ${when}\n`,
      );
    }
    return 0;
  });
}

/** `baton show`: one run's status, state, and optionally its checkpoints. */
export async function showCommand(
  runId: string,
  options: RuntimeOptions & { history?: boolean; json?: boolean; workflow?: string },
): Promise<number> {
  return withRuntime(options, async (rt) => {
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    const { graph } = await loadWorkflow(
      options.workflow ?? workflowPathFor(rt.dbSpec, run.graph) ?? run.graph,
      rt.ctx,
    );
    const snapshot = await graph.getState(runId);
    const history = options.history ? await graph.history(runId) : undefined;
    const tasks = await rt.store.listTasks(runId);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ run, state: snapshot.state, next: snapshot.next, tasks, ...(history ? { history } : {}) })}\n`,
      );
      return 0;
    }
    const out = [`run ${run.id}  ${run.graph}  ${run.status}  step ${run.step}`];
    if (run.error) out.push(`error: ${run.error.message}`);
    for (const i of run.interrupts ?? []) out.push(`waiting: ${i.node} ${JSON.stringify(i.payload)}`);
    for (const t of tasks.filter((t) => t.step > 0)) {
      out.push(
        `  step ${String(t.step).padStart(3)}  ${t.taskId.padEnd(28)} ${t.status.padEnd(11)} ${t.finishedAt - t.startedAt}ms${t.attempts > 1 ? `  ${t.attempts} attempts` : ""}${t.error ? `  ${t.error.message}` : ""}`,
      );
    }
    for (const c of await rt.store.listCompensations(runId))
      out.push(`  undo ${c.node.padEnd(26)} ${c.status}${c.error ? `  ${c.error.message}` : ""}`);
    out.push(`state: ${JSON.stringify(snapshot.state, null, 2)}`);
    for (const h of history ?? [])
      out.push(
        `checkpoint ${h.step}  next: ${h.next.map((t) => t.id).join(", ") || "(end)"}  ${JSON.stringify(h.state)}`,
      );
    process.stdout.write(`${out.join("\n")}\n`);
    return 0;
  });
}

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
