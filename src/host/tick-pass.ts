import type { Store } from "../engine/store.js";
import { tickSchedules } from "../schedules/tick.js";
import type { WorkflowLookup } from "../schedules/workflow-ref.js";

/**
 * A due-work pass over the schedules: start the due ticks' runs, and say once (not on every pass)
 * why a schedule's ticks cannot start, e.g. a workflow this process cannot load; said again if the
 * reason changes.
 */
export function schedulePass(
  store: Store,
  workflow: WorkflowLookup,
  say: (line: string) => void,
): (now: number) => Promise<void> {
  const said = new Map<string, string>();
  return async (now) => {
    const report = await tickSchedules({ store, workflow, now });
    for (const f of report.failed) {
      if (said.get(f.schedule) === f.error) continue;
      said.set(f.schedule, f.error);
      say(`schedule ${f.schedule}: its ticks cannot start here: ${f.error}`);
    }
    for (const s of report.started) said.delete(s.schedule);
  };
}
