import type { Store } from "../engine/store.js";
import { ownerGone } from "../stores/liveness.js";

/** How often a worker looks for runs whose owner process exited on its machine. */
const EVERY_MS = 10_000;

/**
 * Recovery for workers: a run whose owner exited on this machine (a killed `baton run`, a crashed
 * worker) is released at once, so the claim loop takes it over now instead of when its lease runs
 * out. Runs whose lease expired need nothing: they are claimable already. Runs at most every 10 s.
 */
export function exitedOwnerReleaser(store: Store): () => Promise<void> {
  let next = 0;
  return async () => {
    if (Date.now() < next) return;
    next = Date.now() + EVERY_MS;
    const runs = await store.listRuns({ status: ["running", "compensating"], limit: 10_000 });
    for (const run of runs)
      if (run.owner && ownerGone(run.owner) === "process exited")
        await store.releaseRun(run.owner.id, run.id);
  };
}
