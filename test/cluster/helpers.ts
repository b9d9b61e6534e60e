import { type ClusterWorkerOptions, clusterWorker } from "../../src/cluster/cluster-worker.js";
import type { WorkerEvent } from "../../src/cluster/events.js";
import { currentFence } from "../../src/cluster/fence-scope.js";
import type { Workflow } from "../../src/cluster/workflow.js";
import type { RunRecord } from "../../src/engine/records.js";
import type { Store } from "../../src/engine/store.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The worker running the calling node (in-process tests run several workers in one process). */
export const workerHere = () => currentFence()?.fence.owner ?? "none";

/** Wait until `check` returns something other than undefined. */
export async function until<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const ended = (
  store: Store,
  runId: string,
  statuses = ["completed", "failed", "cancelled", "compensated", "compensation_failed", "interrupted"],
) =>
  until<RunRecord>(
    async () => {
      const run = await store.getRun(runId);
      return run && statuses.includes(run.status) ? run : undefined;
    },
    20_000,
    `run ${runId} to end`,
  );

/** In-process workers on one schema, all sharing the test's workflows; stopped by `stopAll`. */
export function workers(
  store: PostgresStore,
  workflowStore: Store,
  graphs: readonly Workflow[],
  base: Partial<ClusterWorkerOptions> = {},
) {
  const started: Array<ReturnType<typeof clusterWorker>> = [];
  const events: WorkerEvent[] = [];
  const byName = new Map(graphs.map((g) => [g.name, g]));
  return {
    events,
    async start(id: string, over: Partial<ClusterWorkerOptions> = {}) {
      const w = clusterWorker({
        store,
        workflowStore,
        workflow: async (name) => {
          const g = byName.get(name);
          if (!g) throw new Error(`no workflow "${name}" in this test`);
          return g;
        },
        id,
        leaseMs: 1_500,
        pollMs: 50,
        ...base,
        ...over,
        onEvent: (e) => events.push(e),
      });
      await w.start();
      started.push(w);
      return w;
    },
    async stopAll(graceMs = 0) {
      await Promise.all(started.map((w) => w.stop(graceMs)));
      started.length = 0;
    },
  };
}

/**
 * Sample, every `everyMs`, how many runs of `queue` hold a live lease; `stop()` ends the sampling
 * and gives the most seen at once.
 */
export function sampleLeases(
  store: PostgresStore,
  schema: string,
  queue: string,
  everyMs: number,
): { stop(): Promise<number> } {
  let done = false;
  let max = 0;
  const sampling = (async () => {
    while (!done) {
      const { rows } = await store.pool.query(
        `SELECT count(*)::int AS n FROM "${schema}".runs
         WHERE queue = $1 AND lease_owner IS NOT NULL AND lease_expires_at > statement_timestamp()`,
        [queue],
      );
      max = Math.max(max, rows[0].n);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      done = true;
      await sampling;
      return max;
    },
  };
}
