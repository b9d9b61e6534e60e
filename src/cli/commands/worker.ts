import { clusterWorker } from "../../cluster/cluster-worker.js";
import { errorEvent, type WorkerEvent } from "../../cluster/events.js";
import { fencedStore } from "../../cluster/fenced-store.js";
import { startDueRunner } from "../../host/due-runner.js";
import { openStoreFor, type Runtime, type RuntimeOptions } from "../../host/runtime.js";
import { schedulePass } from "../../host/tick-pass.js";
import { workflowSource } from "../../host/workflow-source.js";
import { type ClusterStore, isClusterStore } from "../../stores/postgres/cluster-store.js";
import { otelListener } from "../../tracing/otel-listener.js";
import type { WorkflowContext } from "../../workflows/types.js";
import { EXIT, UsageError, wholeNumberOption } from "../exit.js";
import { withRuntime } from "./run.js";

export interface WorkerCommandOptions extends RuntimeOptions {
  concurrency?: string;
  taskConcurrency?: string;
  queue?: string[];
  leaseMs?: string;
  pollMs?: string;
  graceMs?: string;
  distributeAbove?: string;
  workflow?: string[];
  id?: string;
  json?: boolean;
}

/**
 * `baton worker`: claim runs (and tasks of large steps) from PostgreSQL and execute them until
 * SIGTERM or SIGINT; then stop claiming, let work in flight finish for `--grace-ms`, give back what
 * is left, and exit 0. A second signal exits at once (leases then run out on their own).
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  const settings = {
    concurrency: count(options.concurrency, "--concurrency", 10, 1),
    taskConcurrency: count(options.taskConcurrency, "--task-concurrency", undefined, 1),
    leaseMs: count(options.leaseMs, "--lease-ms", 30_000, 100),
    pollMs: count(options.pollMs, "--poll-ms", 500, 10),
    distributeAbove: count(options.distributeAbove, "--distribute-above", 32, 0),
  };
  const graceMs = count(options.graceMs, "--grace-ms", 20_000, 0);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    if (!isClusterStore(rt.store)) return localRunner(rt, options, settings);
    const store: ClusterStore = rt.store;
    // Claims and heartbeats get a pool of their own: they must never wait behind the runs' queries.
    const control = await openStoreFor(rt.dbSpec);
    if (!isClusterStore(control)) throw new UsageError(`${rt.dbSpec} is not a PostgreSQL database`);
    const workflowStore = fencedStore(store);
    const ctx: WorkflowContext = { store: workflowStore, mcp: rt.ctx.mcp };
    const workflow = await workflowSource(ctx, rt.dbSpec, options.workflow ?? []);
    const log = logger(Boolean(options.json));
    const worker = clusterWorker({
      store,
      control,
      workflowStore,
      workflow,
      ...defined(settings),
      ...(options.queue?.length ? { queues: options.queue } : {}),
      ...(options.id ? { id: options.id } : {}),
      onEvent: log,
      onRunEvent: otelListener(),
    });
    // Schedule ticks are made here too; the runs they start (and due sleeps) come back as claims.
    const ticks = startDueRunner({
      store,
      workflow,
      runs: false,
      onPass: schedulePass(store, workflow, (line) => process.stderr.write(`baton worker: ${line}\n`)),
      onError: (error, during) => log({ ...errorEvent(during, error), at: Date.now() } as WorkerEvent),
    });
    try {
      await worker.start();
      await firstSignal(() => process.exit(130));
      await Promise.all([worker.stop(graceMs), ticks.stop()]);
    } finally {
      await control.close();
    }
    // Work that ignored its abort signal must not keep a stopped worker alive: its writes are refused anyway.
    setTimeout(() => process.exit(EXIT.ok), 2_000).unref();
    return EXIT.ok;
  });
}

/**
 * `baton worker` on SQLite: the runner for one machine. It wakes sleeping and waiting runs when
 * they are due, starts delayed and scheduled runs, and takes over runs whose process died; several
 * runners on one file share the work through the runs' leases.
 */
async function localRunner(
  rt: Runtime,
  options: WorkerCommandOptions,
  settings: { concurrency: number; leaseMs: number },
): Promise<number> {
  rt.requireWritable("baton worker");
  const workflow = await workflowSource(rt.ctx, rt.dbSpec, options.workflow ?? []);
  const who = options.id ?? `local:${process.pid}`;
  const json = Boolean(options.json);
  const say = (line: string, event: Record<string, unknown>) =>
    json
      ? process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`)
      : process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
  const runner = startDueRunner({
    store: rt.store,
    workflow,
    actor: { via: "worker", who },
    concurrency: settings.concurrency,
    leaseMs: settings.leaseMs,
    ...(options.pollMs ? { pollMs: Number(options.pollMs) } : {}),
    recoverCrashed: true,
    onPass: schedulePass(rt.store, workflow, (line) => say(line, { type: "schedule_failed", line })),
    onEvent: otelListener(),
    onDriven: (runId, done) => {
      say(`run ${runId} woken`, { type: "run_woken", runId });
      done.then(
        (r) =>
          say(`run ${runId} ${(r as { status: string }).status}`, {
            type: "run_stopped",
            runId,
            status: (r as { status: string }).status,
          }),
        () => undefined,
      );
    },
    onError: (error, during) =>
      say(`${during} failed: ${(error as Error).message ?? error}`, {
        type: "error",
        during,
        message: String(error),
      }),
  });
  say(
    `local runner ${who} started on ${rt.dbSpec}: due runs, schedules and crashed runs, ${settings.concurrency} at once`,
    {
      type: "runner_started",
      id: who,
      db: rt.dbSpec,
    },
  );
  await firstSignal(() => process.exit(130));
  await runner.stop();
  return EXIT.ok;
}

/** Resolves at the first SIGTERM or SIGINT; a second one calls `hurry`. */
function firstSignal(hurry: () => void): Promise<void> {
  return new Promise((resolve) => {
    const first = () => {
      process.off("SIGINT", first);
      process.off("SIGTERM", first);
      process.once("SIGINT", hurry);
      process.once("SIGTERM", hurry);
      resolve();
    };
    process.on("SIGINT", first);
    process.on("SIGTERM", first);
  });
}

/** `--json`: one event per line on stdout. Otherwise a short line per event on stderr. */
function logger(json: boolean): (event: WorkerEvent) => void {
  if (json) return (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
  return (event) => {
    const line = describe(event);
    if (line) process.stderr.write(`${new Date(event.at).toISOString().slice(11, 23)} ${line}\n`);
  };
}

function describe(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case "worker_started":
      return `worker ${e.workerId} started: ${e.concurrency} runs, ${e.taskConcurrency} step tasks at once, queues ${e.queues?.join(", ") ?? "(all)"}`;
    case "run_claimed":
      return `run ${e.runId} (${e.graph}) claimed${e.takenOverFrom ? `, taken over from ${e.takenOverFrom}` : ""}`;
    case "run_finished":
      return `run ${e.runId} ${e.status}`;
    case "run_lost":
      return `run ${e.runId} lost: ${e.why}`;
    case "run_released":
      return `run ${e.runId} released`;
    case "step_distributed":
      return `run ${e.runId} step ${e.step}: ${e.tasks} tasks offered to all workers`;
    case "task_lost":
      return `task ${e.taskId} of run ${e.runId} lost: ${e.why}`;
    case "error":
      return `error (${e.during}${e.runId ? `, run ${e.runId}` : ""}): ${e.error.message}`;
    case "worker_stopping":
      return `stopping: finishing work in flight for up to ${e.graceMs} ms`;
    case "worker_stopped":
      return "stopped";
    default:
      return undefined;
  }
}

/** A whole-number option, or the fallback when it was not given. */
function count<F extends number | undefined>(
  text: string | undefined,
  option: string,
  fallback: F,
  min: number,
): number | F {
  return text === undefined ? fallback : wholeNumberOption(text, option, min);
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** `baton queue <name> --concurrency <n|none>`: most runs of a queue leased at once, across all workers. */
export async function queueCommand(
  name: string,
  options: RuntimeOptions & { concurrency: string },
): Promise<number> {
  const value = options.concurrency;
  const limit = value === "none" ? null : Number(value);
  if (limit !== null && !(Number.isInteger(limit) && limit >= 0))
    throw new UsageError(
      `--concurrency must be a whole number ≥ 0 (0 pauses the queue) or "none", not "${value}"`,
    );
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    if (!isClusterStore(rt.store))
      throw new UsageError(`Queues live in PostgreSQL (--db postgres://…), not in ${rt.dbSpec}`);
    await rt.store.setQueueConcurrency(name, limit);
    const what = limit === null ? "no limit" : limit === 0 ? "paused" : `at most ${limit} runs at once`;
    process.stdout.write(`queue ${name}: ${what}\n`);
    return EXIT.ok;
  });
}
