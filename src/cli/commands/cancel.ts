import { TERMINAL_STATUSES } from "../../engine/records.js";
import { isClusterStore } from "../../stores/postgres/cluster-store.js";
import { UsageError } from "../exit.js";
import { loadWorkflow } from "../load-workflow.js";
import type { RuntimeOptions } from "../runtime.js";
import { workflowPathFor } from "../runtime.js";
import { withRuntime } from "./run.js";

/** How long a running run's own process gets to notice a cancel request before we take it over. */
const NOTICE_MS = 2_000;

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
    await graph.cancel(runId, { compensate });
    const deadline = Date.now() + NOTICE_MS;
    let now = await rt.store.getRun(runId);
    while (
      now &&
      !TERMINAL_STATUSES.has(now.status) &&
      now.status !== "compensating" &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 100));
      now = await rt.store.getRun(runId);
    }
    // A worker holding the run's lease (or the one taking it over once it runs out) carries the request out.
    const leased = isClusterStore(rt.store) && (await rt.store.getLease(runId)) !== undefined;
    if (
      now &&
      !leased &&
      (now.status === "running" || (now.status === "compensating" && !now.cancelRequested))
    ) {
      // Nobody picked the request up: the process that ran it is gone.
      if (now.status === "running") await graph.cancel(runId, { compensate, takeOver: true });
    }
    while (now && now.status === "compensating" && Date.now() < deadline + 30_000) {
      await new Promise((r) => setTimeout(r, 100));
      now = await rt.store.getRun(runId);
    }
    const final = await rt.store.getRun(runId);
    if (leased && final?.status === "running")
      process.stderr.write(`baton: cancel requested; the worker holding run ${runId} will stop it\n`);
    process.stdout.write(`run ${runId} ${final?.status}\n`);
    return 0;
  });
}
