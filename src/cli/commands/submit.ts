import { validateInput } from "../../engine/input.js";
import { TERMINAL_STATUSES } from "../../engine/records.js";
import { loadWorkflow } from "../../host/load-workflow.js";
import { type InputOptions, readInput, runInput } from "../../host/run-input.js";
import type { RuntimeOptions } from "../../host/runtime.js";
import { rememberWorkflowPath } from "../../host/workflow-paths.js";
import { isClusterStore } from "../../stores/postgres/cluster-store.js";
import { EXIT, exitCodeFor, UsageError } from "../exit.js";
import { withRuntime } from "./run.js";

export interface SubmitCommandOptions extends RuntimeOptions, InputOptions {
  queue?: string;
  runId?: string;
  /** Wait until a worker has run it, and exit as `baton run` would. */
  wait?: boolean;
  json?: boolean;
}

/**
 * `baton submit`: enqueue a run for `baton worker` processes on PostgreSQL and print its id. The
 * input is checked here, before anything is stored; the run waits (`pending`) until a worker of its
 * queue claims it. The same `--run-id` twice is one run.
 */
export async function submitCommand(ref: string, options: SubmitCommandOptions): Promise<number> {
  const input = readInput(options);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const store = rt.store;
    if (!isClusterStore(store))
      throw new UsageError(
        `baton submit needs a PostgreSQL database (--db postgres://…): ${rt.dbSpec} has no workers`,
      );
    const workflow = await loadWorkflow(ref, rt.ctx);
    const { graph } = workflow;
    if (workflow.path) rememberWorkflowPath(rt.dbSpec, graph.name, workflow.path);
    const given = runInput(workflow, input, options.query);
    validateInput(graph.definition, given);
    const { run, created } = await store.submitRun({
      id: options.runId ?? globalThis.crypto.randomUUID(),
      graph: graph.name,
      graphHash: graph.hash,
      status: "pending",
      input: given,
      ...(options.queue ? { queue: options.queue } : {}),
    });
    if (!created)
      process.stderr.write(`baton: run ${run.id} exists already (${run.status}); not submitted again\n`);
    if (!options.wait) {
      const out = options.json
        ? JSON.stringify({ runId: run.id, created, queue: run.queue, status: run.status })
        : run.id;
      process.stdout.write(`${out}\n`);
      return EXIT.ok;
    }
    let now = run;
    while (!TERMINAL_STATUSES.has(now.status) && now.status !== "interrupted") {
      await new Promise((r) => setTimeout(r, 200));
      now = (await store.getRun(run.id)) ?? now;
    }
    const out = options.json
      ? JSON.stringify({ runId: now.id, status: now.status, ...(now.error ? { error: now.error } : {}) })
      : `${now.id} ${now.status}${now.error ? `: ${now.error.message}` : ""}`;
    process.stdout.write(`${out}\n`);
    return exitCodeFor(now.status);
  });
}
