import { readHistory } from "../engine/run-history.js";
import type { Store } from "../engine/store.js";
import { crashOf } from "../stores/liveness.js";
import type { AnyCompiledGraph } from "../workflows/types.js";
import type { CheckpointView, RunDetail } from "./api-types.js";
import { notFound } from "./errors.js";
import type { EventHub } from "./event-hub.js";
import type { WorkflowSource } from "./workflows.js";

/** How many history entries the detail carries; the rest is paged from `/history`. */
const HISTORY_IN_DETAIL = 5_000;

/**
 * Everything the run page shows, from the Store interface alone (so SQLite and PostgreSQL look the
 * same). State needs the run's workflow to replay the writes; without it the records still show.
 */
export async function runDetail(
  store: Store,
  workflows: WorkflowSource,
  hub: EventHub,
  runId: string,
  local: boolean,
): Promise<RunDetail> {
  const run = await store.getRun(runId);
  if (!run) throw notFound(`No run with id "${runId}"`);
  const [tasks, checkpoints, compensations, forks, history] = await Promise.all([
    store.listTasks(runId),
    store.listCheckpoints(runId),
    store.listCompensations(runId),
    store.listRuns({ parent: runId, limit: 1000 }),
    readHistory(store, run, { limit: HISTORY_IN_DETAIL + 1 }),
  ]);
  const crash = crashOf(run);
  let graph: AnyCompiledGraph | undefined;
  let problem: string | undefined;
  try {
    graph = await workflows.load(run.graph);
    if (!graph) problem = `Workflow "${run.graph}" is not known to this server`;
  } catch (error) {
    problem = `Workflow "${run.graph}" could not be loaded: ${(error as Error).message}`;
  }
  const sorted = [...checkpoints].sort((a, b) => a.step - b.step);
  let views: CheckpointView[] = sorted.map(({ step, createdAt, next, joins }) => ({
    step,
    createdAt,
    next,
    joins,
  }));
  let state: Record<string, unknown> | undefined;
  if (graph) {
    const [snapshot, history] = await Promise.all([graph.getState(runId), graph.history(runId)]);
    state = snapshot.state as Record<string, unknown>;
    const byStep = new Map(history.map((h) => [h.step, h.state as Record<string, unknown>]));
    views = views.map((v) => (byStep.has(v.step) ? { ...v, state: byStep.get(v.step)! } : v));
  }
  const last = sorted.at(-1);
  return {
    run,
    workflow: { name: run.graph, available: graph !== undefined, ...(problem ? { problem } : {}) },
    ...(state ? { state } : {}),
    next: last?.next ?? [],
    tasks,
    checkpoints: views,
    compensations,
    events: hub.recent(runId),
    local,
    ...(crash ? { crashed: { ...crash, recover: `baton recover, or POST /api/runs/${runId}/recover` } } : {}),
    forks: forks.map((f) => f.id),
    history: history.slice(0, HISTORY_IN_DETAIL),
    ...(history.length > HISTORY_IN_DETAIL ? { historyMore: true as const } : {}),
  };
}
