import type { RunResult } from "../../engine/compiled.js";
import type { RunEvent } from "../../engine/events.js";
import { DEFAULT_GRAPH_NAME, type LoadedWorkflow, loadWorkflow } from "../../host/load-workflow.js";
import { type InputOptions, readInput, runInput } from "../../host/run-input.js";
import { openRuntime, type Runtime, type RuntimeOptions } from "../../host/runtime.js";
import { rememberWorkflowPath, workflowPathFor } from "../../host/workflow-paths.js";
import { otelListener } from "../../tracing/otel-listener.js";
import { cliActor } from "../actor.js";
import { EXIT, exitCodeFor, parseJsonOption, UsageError } from "../exit.js";
import { progressPrinter } from "../progress.js";
import { EXIT_SIGNALLED, stopOnSignals, stoppedLine } from "../stop-signals.js";

export interface RunCommandOptions extends RuntimeOptions, InputOptions {
  runId?: string;
  /** Continue this thread (conversation): start from its last run's state. */
  thread?: string;
  json?: boolean;
}

export interface ResumeCommandOptions extends RuntimeOptions {
  value?: string;
  workflow?: string;
  force?: boolean;
  json?: boolean;
}

/** `baton run`: start a workflow and follow it to where it stops. */
export async function runCommand(ref: string, options: RunCommandOptions): Promise<number> {
  const input = readInput(options);
  return withRuntime(options, async (rt) => {
    rt.requireWritable("baton run");
    const workflow = await loadWorkflow(ref, rt.ctx);
    await rt.requireServers(workflow.servers, workflow.shipped?.name ?? workflow.path ?? ref);
    if (workflow.path) rememberWorkflowPath(rt.dbSpec, workflow.graph.name, workflow.path);
    const stop = stopOnSignals();
    try {
      const result = await workflow.graph.run(runInput(workflow, input, options.query), {
        ...(options.runId ? { runId: options.runId } : {}),
        ...(options.thread !== undefined ? { threadId: options.thread } : {}),
        onEvent: listener(options),
        signal: stop.signal,
        actor: cliActor(),
      });
      return stop.received ? stopped(result.runId, stop.received) : report(workflow, result, options);
    } finally {
      stop.dispose();
    }
  });
}

/** `baton resume`: continue an interrupted or crashed run, in this process. */
export async function resumeCommand(runId: string, options: ResumeCommandOptions): Promise<number> {
  const value = options.value === undefined ? undefined : parseJsonOption(options.value, "--value");
  return withRuntime(options, async (rt) => {
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    rt.requireWritable("baton resume");
    const ref = options.workflow ?? workflowPathFor(rt.dbSpec, run.graph) ?? run.graph;
    // A run recorded before files were named after themselves has the default name: keep it.
    const workflow = await loadWorkflow(ref, rt.ctx, { keepDefaultName: run.graph === DEFAULT_GRAPH_NAME });
    await rt.requireServers(workflow.servers, workflow.shipped?.name ?? workflow.path ?? ref);
    const stop = stopOnSignals();
    try {
      const result = await workflow.graph.resume(runId, value, {
        onEvent: listener(options),
        force: options.force ?? false,
        signal: stop.signal,
        actor: cliActor(),
      });
      return stop.received ? stopped(result.runId, stop.received) : report(workflow, result, options);
    } finally {
      stop.dispose();
    }
  });
}

function stopped(runId: string, signal: string): number {
  process.stderr.write(stoppedLine(runId, signal));
  return EXIT_SIGNALLED;
}

export async function withRuntime(
  options: RuntimeOptions,
  body: (rt: Runtime) => Promise<number>,
): Promise<number> {
  const rt = await openRuntime(options);
  try {
    return await body(rt);
  } finally {
    await rt.close();
  }
}

/** Tracing spans (a no-op without an OpenTelemetry SDK) and, unless --json, live progress. */
export function listener(options: { json?: boolean }): (e: RunEvent) => void {
  const tracing = otelListener();
  const progress = options.json
    ? undefined
    : progressPrinter((t) => process.stderr.write(t), Boolean(process.stderr.isTTY));
  return (e) => {
    tracing(e);
    progress?.(e);
  };
}

/** How a command that drove a run reports where it stopped; the exit code. */
export function report(
  workflow: LoadedWorkflow,
  result: RunResult<Record<string, unknown>>,
  options: { json?: boolean },
): number {
  const errorKey = workflow.graph.spec.errorKey;
  const branchErrors = errorKey ? ((result.state[errorKey] as unknown[] | undefined) ?? []) : [];
  const errors = [...(result.error ? [result.error] : []), ...branchErrors];
  if (options.json) {
    const out = {
      runId: result.runId,
      status: result.status,
      output: result.state,
      errors,
      steps: result.steps,
      durationMs: result.durationMs,
      ...(result.interrupts ? { interrupts: result.interrupts } : {}),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return exitCodeFor(result.status);
  }
  const summary = workflow.shipped?.summarize?.(result.state) ?? JSON.stringify(result.state, null, 2);
  process.stdout.write(`${summary}\n`);
  if (result.status === "interrupted") {
    for (const i of result.interrupts ?? [])
      process.stdout.write(`\n⏸ ${i.node} is waiting: ${JSON.stringify(i.payload)}\n`);
    process.stdout.write(`\nresume with: baton resume ${result.runId} --value '<json>'\n`);
  }
  if (result.status === "sleeping" || result.status === "waiting" || result.status === "pending") {
    process.stdout.write(
      `\n${result.runId} is ${result.status}; a runner continues it when it is due (baton worker, or baton serve)\n`,
    );
  } else if (result.status !== "completed" && result.status !== "interrupted")
    process.stdout.write(`run ${result.runId} ${result.status}\n`);
  return exitCodeFor(result.status) ?? EXIT.failed;
}
