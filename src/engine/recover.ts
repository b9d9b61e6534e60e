import type { ResumeOptions, RunResult } from "./compiled.js";
import type { EventListener } from "./events.js";
import type { Actor } from "./history.js";
import { DEFAULT_LEASE_MS, newOwnerId } from "./ownership.js";
import type { RunRecord } from "./records.js";
import type { Store } from "./store.js";

/** Anything that can resume a run: a compiled graph of any state. */
export interface Resumable {
  resume(runId: string, value?: unknown, options?: ResumeOptions): Promise<RunResult<unknown>>;
}

export interface RecoverOptions {
  store: Store;
  /** The workflow a run belongs to, by its name (`run.graph`); undefined when this process has none. */
  workflow: (name: string) => Resumable | undefined | Promise<Resumable | undefined>;
  /** Who recovers, for the runs' history (default `{ via: "recover" }`). */
  actor?: Actor;
  onEvent?: EventListener;
  leaseMs?: number;
  /** Look at no more than this many unfinished runs (default 10,000). */
  limit?: number;
  /**
   * Which runs look crashed, to skip live ones without asking the store for their lease (e.g.
   * `(run) => crashOf(run) !== undefined`). Default: try every unfinished run; the store refuses
   * the live ones.
   */
  crashed?: (run: RunRecord) => boolean;
  /** How long each resumed run that sleeps again is kept waiting here (see `ResumeOptions.hold`). */
  hold?: number;
  /** Also wake sleeping, waiting and delayed runs that are due and nobody holds (default false). */
  due?: boolean;
  /** Stops the resumed runs where they are (they stay resumable). */
  signal?: AbortSignal;
}

export interface RecoverReport {
  /** Runs taken over here: each resumes from its last checkpoint; `done` settles when it stops again. */
  recovered: Array<{ runId: string; graph: string; done: Promise<RunResult<unknown>> }>;
  /** Runs whose owner is alive (or that another process recovered first). */
  busy: string[];
  /** Runs of workflows this process does not know. */
  unknown: Array<{ runId: string; graph: string }>;
}

/**
 * Resume every run whose owner is gone: crashed (lease expired, or its process on this machine
 * exited) or let go without finishing, and (with `due`) every sleeping, waiting or delayed run
 * that is due. Interrupted runs wait for a person and are left alone; so are runs not due yet. Each
 * run's lease is taken here first, so of several processes recovering at once exactly one resumes
 * each run. Returns once every run found was taken or passed over; the runs go on in this process.
 */
export async function recoverRuns(options: RecoverOptions): Promise<RecoverReport> {
  const { store } = options;
  const limit = options.limit ?? 10_000;
  const runs = await store.listRuns({ status: ["running", "compensating"], limit });
  const report: RecoverReport = { recovered: [], busy: [], unknown: [] };
  for (const run of runs) {
    if (options.crashed && !options.crashed(run)) report.busy.push(run.id);
    else await recoverOne(options, run, report);
  }
  // Runs whose sleep, event or start time came while nobody was there to drive them.
  if (options.due)
    for (const run of await store.listDue(Date.now(), { limit })) await recoverOne(options, run, report);
  return report;
}

async function recoverOne(options: RecoverOptions, run: RunRecord, report: RecoverReport): Promise<void> {
  const graph = await options.workflow(run.graph);
  if (!graph) {
    report.unknown.push({ runId: run.id, graph: run.graph });
    return;
  }
  const ownerId = newOwnerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const taken = await options.store.acquireRun(run.id, { id: ownerId, leaseMs });
  if (!taken.acquired) {
    report.busy.push(run.id);
    return;
  }
  const resumeOptions: ResumeOptions = {
    adopt: { owner: taken.owner, ...(taken.previous ? { previous: taken.previous } : {}) },
    actor: options.actor ?? { via: "recover" },
    leaseMs,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.hold !== undefined ? { hold: options.hold } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const done = graph.resume(run.id, undefined, resumeOptions).catch(async (error: unknown) => {
    // Refused before it started (a changed graph, say): let the run go for someone else to see.
    await options.store.releaseRun(ownerId, run.id).catch(() => false);
    throw error;
  });
  report.recovered.push({ runId: run.id, graph: run.graph, done });
}
