import { validateInput } from "../../engine/input.js";
import { TERMINAL_STATUSES } from "../../engine/records.js";
import { loadWorkflow } from "../../host/load-workflow.js";
import { type InputOptions, readInput, runInput } from "../../host/run-input.js";
import type { RuntimeOptions } from "../../host/runtime.js";
import { rememberWorkflowPath } from "../../host/workflow-paths.js";
import { isClusterStore } from "../../stores/postgres/cluster-store.js";
import { cliActor } from "../actor.js";
import { parseDuration } from "../duration.js";
import { EXIT, exitCodeFor, UsageError } from "../exit.js";
import { withRuntime } from "./run.js";

export interface SubmitCommandOptions extends RuntimeOptions, InputOptions {
  queue?: string;
  runId?: string;
  /** Wait until a worker has run it, and exit as `baton run` would. */
  wait?: boolean;
  /** Start at this ISO time. */
  at?: string;
  /** Start after this long ("10m"). */
  delay?: string;
  json?: boolean;
}

/**
 * `baton submit`: store a run for `baton worker` processes to start and print its id: PostgreSQL
 * workers of its queue, or the local runner of a SQLite file. The input and the start time are
 * checked here, before anything is stored; the run waits (`pending`) until it is due (`--at`,
 * `--delay`, else now) and a worker takes it. The same `--run-id` twice is one run.
 */
export async function submitCommand(ref: string, options: SubmitCommandOptions): Promise<number> {
  const input = readInput(options);
  const startAt = startTimeOf(options);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const store = rt.store;
    rt.requireWritable("baton submit");
    const workflow = await loadWorkflow(ref, rt.ctx);
    const { graph } = workflow;
    if (workflow.path) rememberWorkflowPath(rt.dbSpec, graph.name, workflow.path);
    const given = runInput(workflow, input, options.query);
    validateInput(graph.definition, given);
    const newRun = {
      id: options.runId ?? globalThis.crypto.randomUUID(),
      graph: graph.name,
      graphHash: graph.hash,
      status: "pending" as const,
      input: given,
      createdBy: cliActor(),
      ...(options.queue ? { queue: options.queue } : {}),
    };
    // PostgreSQL workers claim submitted runs (at their start time); on SQLite the local runner
    // (`baton worker --db <file>`) starts them when they are due.
    const { run, created } = isClusterStore(store)
      ? await store.submitRun({ ...newRun, ...(startAt !== undefined ? { wakeAt: startAt } : {}) })
      : await store.createRun({ ...newRun, wakeAt: startAt ?? Date.now() });
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

/** `--at` or `--delay` as epoch ms; undefined: start now. A time in the past is refused. */
function startTimeOf(options: SubmitCommandOptions): number | undefined {
  if (options.at !== undefined && options.delay !== undefined)
    throw new UsageError("Give --at or --delay, not both");
  if (options.delay !== undefined) return Date.now() + parseDuration(options.delay, "--delay");
  if (options.at === undefined) return undefined;
  const at = Date.parse(options.at);
  if (!Number.isFinite(at) || !/^\d{4}-\d{2}-\d{2}/.test(options.at))
    throw new UsageError(`--at must be an ISO 8601 time such as 2026-12-24T09:00:00Z, not "${options.at}"`);
  if (at < Date.now())
    throw new UsageError(
      `--at ${new Date(at).toISOString()} is in the past (now ${new Date().toISOString()})`,
    );
  return at;
}
