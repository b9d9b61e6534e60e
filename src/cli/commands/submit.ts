import { readFileSync } from "node:fs";
import { validateInput } from "../../engine/input.js";
import { TERMINAL_STATUSES } from "../../engine/records.js";
import { isClusterStore } from "../../stores/postgres/cluster-store.js";
import { EXIT, exitCodeFor, parseJsonOption, UsageError } from "../exit.js";
import { loadWorkflow } from "../load-workflow.js";
import { type RuntimeOptions, rememberWorkflowPath } from "../runtime.js";
import { withRuntime } from "./run.js";

export interface SubmitCommandOptions extends RuntimeOptions {
  input?: string;
  inputFile?: string;
  query?: string;
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
    const given =
      input ??
      (options.query !== undefined
        ? (workflow.shipped?.fromQuery?.(options.query) ?? { query: options.query })
        : workflow.shipped?.defaultInput) ??
      {};
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

function readInput(options: SubmitCommandOptions): Record<string, unknown> | undefined {
  if (options.input !== undefined && options.inputFile !== undefined)
    throw new UsageError("Give --input or --input-file, not both");
  let text = options.input;
  let source = "--input";
  if (options.inputFile !== undefined) {
    source = `--input-file ${options.inputFile}`;
    try {
      text = readFileSync(options.inputFile, "utf8");
    } catch {
      throw new UsageError(`Input file not found: ${options.inputFile}`);
    }
  }
  if (text === undefined) return undefined;
  const parsed = parseJsonOption(text, source);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${source} must be a JSON object`);
  return parsed as Record<string, unknown>;
}
