import type { Actor } from "../engine/history.js";
import type { Store } from "../engine/store.js";
import { requireSchedule } from "./control.js";
import { manualRunId } from "./run-ids.js";
import type { WorkflowLookup } from "./workflow-ref.js";

export interface TriggerOptions {
  /** Finds the schedule's workflow (its current hash goes into the run). */
  readonly workflow: WorkflowLookup;
  readonly by?: Actor;
  readonly now?: number;
}

/**
 * Start one run of the schedule now, by hand, with its input: whether or not it is paused, and
 * whatever its overlap policy (asking for a run is an answer to both). The run is `pending` until
 * whoever runs due work starts it; it becomes the schedule's last run.
 */
export async function triggerSchedule(
  store: Store,
  name: string,
  options: TriggerOptions,
): Promise<{ runId: string; created: boolean }> {
  const schedule = await requireSchedule(store, name);
  const workflow = await options.workflow(schedule.workflow);
  const now = options.now ?? Date.now();
  const { run, created } = await store.createRun({
    id: manualRunId(name, now),
    graph: workflow.name,
    graphHash: workflow.hash,
    status: "pending",
    input: schedule.input,
    wakeAt: now,
    createdBy: options.by ?? { via: "schedule", who: name },
  });
  await store.updateSchedule(name, { lastRunId: run.id });
  return { runId: run.id, created };
}
