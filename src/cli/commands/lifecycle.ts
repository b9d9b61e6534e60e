import { type Resumable, recoverRuns } from "../../engine/recover.js";
import { findWorkflow } from "../../engine/workflow-registry.js";
import { loadWorkflow } from "../../host/load-workflow.js";
import type { Runtime, RuntimeOptions } from "../../host/runtime.js";
import { workflowPathFor } from "../../host/workflow-paths.js";
import { crashOf } from "../../stores/liveness.js";
import { cliActor } from "../actor.js";
import { EXIT, UsageError } from "../exit.js";
import { EXIT_SIGNALLED, stopOnSignals, stoppedLine } from "../stop-signals.js";
import { listener, type ResumeCommandOptions, report, withRuntime } from "./run.js";

/**
 * The compiled graph a stored run belongs to, or undefined when this folder does not know it: found
 * as `baton worker` finds it (files run before, shipped workflows, a subgraph's `<workflow>/<node>`,
 * a child workflow compiled beside a loaded one).
 */
async function workflowOf(rt: Runtime, graph: string): Promise<Resumable | undefined> {
  return (await findWorkflow(rt.store, graph)) as Resumable | undefined;
}

/** `baton retry`: run a failed or cancelled run again from its last checkpoint; its history is kept. */
export async function retryCommand(
  runId: string,
  options: Omit<ResumeCommandOptions, "value">,
): Promise<number> {
  return withRuntime(options, async (rt) => {
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    if (run.status !== "failed" && run.status !== "cancelled")
      throw new UsageError(
        `Run ${runId} is ${run.status}; only failed or cancelled runs can be retried${run.status === "interrupted" ? ` (answer it: npx baton resume ${runId} --value '<json>')` : ""}`,
      );
    rt.requireWritable("baton retry");
    const workflow = await loadWorkflow(
      options.workflow ?? workflowPathFor(rt.dbSpec, run.graph) ?? run.graph,
      rt.ctx,
    );
    const stop = stopOnSignals();
    try {
      const result = await workflow.graph.retry(runId, {
        force: options.force ?? false,
        signal: stop.signal,
        actor: cliActor(),
        onEvent: listener(options),
      });
      if (stop.received) {
        process.stderr.write(stoppedLine(runId, stop.received));
        return EXIT_SIGNALLED;
      }
      return report(workflow, result, options);
    } finally {
      stop.dispose();
    }
  });
}

/**
 * `baton recover`: resume every run whose owner is gone (its process crashed, or its lease ran out),
 * and every sleeping, waiting or delayed run that is due, and wait for them. Interrupted runs wait
 * for their answer and are left alone.
 */
export async function recoverCommand(options: RuntimeOptions & { json?: boolean }): Promise<number> {
  return withRuntime(options, async (rt) => {
    rt.requireWritable("baton recover");
    const report = await recoverRuns({
      store: rt.store,
      workflow: (graph) => workflowOf(rt, graph),
      actor: { ...cliActor(), via: "recover" },
      crashed: (run) => crashOf(run) !== undefined,
      due: true,
    });
    const settled = await Promise.all(
      report.recovered.map(async (r) => {
        try {
          const result = await r.done;
          return { runId: r.runId, graph: r.graph, status: result.status };
        } catch (error) {
          return { runId: r.runId, graph: r.graph, status: "not resumed", error: (error as Error).message };
        }
      }),
    );
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ recovered: settled, busy: report.busy, unknown: report.unknown })}\n`,
      );
    } else {
      if (settled.length === 0) process.stdout.write("no crashed runs to recover\n");
      for (const r of settled)
        process.stdout.write(
          `recovered ${r.runId} (${r.graph}): ${r.status}${"error" in r ? `: ${r.error}` : ""}\n`,
        );
      for (const u of report.unknown)
        process.stdout.write(
          `skipped ${u.runId}: workflow "${u.graph}" is not known here (run npx baton resume ${u.runId} --workflow <file>)\n`,
        );
    }
    return settled.some((r) => r.status === "not resumed") ? EXIT.failed : EXIT.ok;
  });
}
