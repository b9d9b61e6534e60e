import { isChildRun, type RunRecord } from "../engine/records.js";
import { readHistory } from "../engine/run-history.js";
import type { Store } from "../engine/store.js";
import { crashOf } from "../stores/liveness.js";
import type { AnyCompiledGraph } from "../workflows/types.js";
import type { CheckpointView, ChildRunView, ParentView, RunDetail } from "./api-types.js";
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
  const [tasks, checkpoints, compensations, linked, history, parent] = await Promise.all([
    store.listTasks(runId),
    store.listCheckpoints(runId),
    store.listCompensations(runId),
    store.listRuns({ parent: runId, limit: 1000 }),
    readHistory(store, run, { limit: HISTORY_IN_DETAIL + 1 }),
    parentView(store, run),
  ]);
  const forks = linked.filter((r) => !isChildRun(r));
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
    ...(parent ? { parent } : {}),
    children: childViews(runId, linked),
    history: history.slice(0, HISTORY_IN_DETAIL),
    ...(history.length > HISTORY_IN_DETAIL ? { historyMore: true as const } : {}),
  };
}

/** The run's parent link, with the parent's workflow and status when the parent is still stored. */
async function parentView(store: Store, run: RunRecord): Promise<ParentView | undefined> {
  if (!run.parent) return undefined;
  const parent = await store.getRun(run.parent.runId);
  return { ...run.parent, ...(parent ? { graph: parent.graph, status: parent.status } : {}) };
}

/** The runs this run's tasks started (not its forks), oldest first. */
export function childViews(runId: string, linked: readonly RunRecord[]): ChildRunView[] {
  const views: ChildRunView[] = [];
  for (const r of linked) {
    const link = r.parent;
    if (link?.runId !== runId || link.taskId === undefined) continue;
    views.push({
      id: r.id,
      graph: r.graph,
      status: r.status,
      kind: link.kind ?? "child",
      taskId: link.taskId,
      step: link.step,
      createdAt: r.createdAt,
    });
  }
  return views.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}
