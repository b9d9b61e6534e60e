import { type RunRecord, TERMINAL_STATUSES } from "../../engine/records.js";
import type { Store } from "../../engine/store.js";
import { loadWorkflow } from "../../host/load-workflow.js";
import type { RuntimeOptions } from "../../host/runtime.js";
import { workflowPathFor } from "../../host/workflow-paths.js";
import { cliActor } from "../actor.js";
import { UsageError } from "../exit.js";
import { withRuntime } from "./run.js";

/** How long to wait for a run's owner to carry a cancel out (it looks twice a second) and undo. */
const SETTLE_MS = 30_000;

/** The run once `done` holds for it, or as it is when `ms` have passed. */
async function until(store: Store, runId: string, done: (run: RunRecord) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  let run = await store.getRun(runId);
  while (run && !done(run) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    run = await store.getRun(runId);
  }
  return run;
}

/** `baton cancel`: stop a run wherever it is running; `--compensate` undoes its completed steps. */
export async function cancelCommand(
  runId: string,
  options: RuntimeOptions & { compensate?: boolean; workflow?: string },
): Promise<number> {
  return withRuntime(options, async (rt) => {
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    if (TERMINAL_STATUSES.has(run.status)) throw new UsageError(`Run ${runId} is already ${run.status}`);
    const { graph } = await loadWorkflow(
      options.workflow ?? workflowPathFor(rt.dbSpec, run.graph) ?? run.graph,
      rt.ctx,
    );
    const compensate = options.compensate ?? false;
    // Here when its owner is gone (or it waits for input); else asked of the live owner through the store.
    await graph.cancel(runId, { compensate, actor: cliActor() });
    const final = await until(rt.store, runId, (r) => TERMINAL_STATUSES.has(r.status), SETTLE_MS);
    if (final && !TERMINAL_STATUSES.has(final.status))
      process.stderr.write(
        `baton: cancel requested; ${final.owner ? `owner ${final.owner.id} (pid ${final.owner.pid} on ${final.owner.host})` : "the process driving it"} will stop run ${runId}\n`,
      );
    process.stdout.write(`run ${runId} ${final?.status}\n`);
    return 0;
  });
}
