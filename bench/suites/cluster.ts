/**
 * Scale-out on PostgreSQL: real `baton worker` processes (built `dist/`) on a schema of their own.
 * - throughput of a 3-node durable workflow with 1, 2 and 4 workers (ratio: runs/s over 1 worker's);
 * - how soon an idle worker starts a submitted run (submit → claim, through LISTEN/NOTIFY), and how
 *   long a claimed run takes to start executing (claim → engine start: state loaded, step 0 seeded);
 * - how long after a worker is SIGKILLed its run is taken over (goal: within the lease + 1 s).
 * Skipped, with a note, when PostgreSQL is unreachable or `dist/` has no worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineState, END, reduce, START, StateGraph } from "../../src/index.js";
import { requireBuild } from "../../test/cluster/processes.js";
import {
  cluster,
  LEASE_MS,
  latencies,
  latencyRow,
  type Report,
  reachable,
  type Site,
  series,
  sleep,
  until,
} from "../cluster-kit.js";
import { median, type Suite } from "../harness.js";

const PG_URL = process.env.BATON_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 1_200);
const WORKFLOW = `
import { defineState, END, reduce, START, StateGraph } from "baton";
const State = defineState({ n: reduce((a, b) => a + b, 0) });
const step = () => ({ n: 1 });
export default (ctx) =>
  new StateGraph(State)
    .addNode("a", step).addNode("b", step).addNode("c", step)
    .addEdge(START, "a").addEdge("a", "b").addEdge("b", "c").addEdge("c", END)
    .compile({ store: ctx.store, name: "bench-chain" });
`;
/** The same graph with nodes that wait 20 ms, as a tool call would: workers, not PostgreSQL, are busy. */
const IO = WORKFLOW.replace(
  "const step = () => ({ n: 1 });",
  "const step = () => new Promise((r) => setTimeout(() => r({ n: 1 }), 20));",
).replace("bench-chain", "bench-io");
const IO_RUNS = Number(process.env.BENCH_CLUSTER_IO_RUNS ?? 600);
const SLOW = WORKFLOW.replace(
  "const step = () => ({ n: 1 });",
  "const step = () => new Promise((r) => setTimeout(() => r({ n: 1 }), 60_000));",
).replace("bench-chain", "bench-slow");

/** The hash the workers' graph has: the same structure built here (node bodies are not hashed). */
function chainHash(): string {
  const State = defineState({ n: reduce<number>((a, b) => a + b, 0) });
  const step = () => ({ n: 1 });
  return new StateGraph(State)
    .addNode("a", step)
    .addNode("b", step)
    .addNode("c", step)
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ store: false }).hash;
}

export default (async (report) => {
  const skip = await reachable(PG_URL);
  if (skip) return void console.error(`  skipped: ${skip}`);
  try {
    requireBuild();
  } catch (error) {
    return void console.error(`  skipped: ${(error as Error).message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-cluster-"));
  writeFileSync(join(dir, "chain.ts"), WORKFLOW);
  writeFileSync(join(dir, "io.ts"), IO);
  writeFileSync(join(dir, "slow.ts"), SLOW);
  const site: Site = { url: PG_URL, dir, workflows: ["chain.ts", "io.ts", "slow.ts"] };
  try {
    const hash = chainHash();
    await series(site, report, {
      shape: "throughput",
      graph: "bench-chain",
      hash,
      runs: RUNS,
      concurrency: 16,
      what: "3-node durable workflow, trivial nodes",
    });
    await series(site, report, {
      shape: "throughput-io",
      graph: "bench-io",
      hash,
      runs: IO_RUNS,
      concurrency: 4,
      what: "3 nodes each waiting 20 ms",
    });
    const l = await latencies(site, "bench-chain", hash);
    report(latencyRow("submit-to-claim", l.toClaim, "idle worker, woken by NOTIFY"));
    report(
      latencyRow("claim-to-start", l.toStart, "lease taken → engine running (workflow found, step 0 seeded)"),
    );
    await takeover(site, hash, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}) satisfies Suite;

/** SIGKILL the worker executing a long run; how long until another worker has taken it over? */
async function takeover(site: Site, hash: string, report: Report): Promise<void> {
  const c = await cluster(site, "takeover");
  const times: number[] = [];
  try {
    await c.start(2, "--concurrency", "4");
    for (let i = 0; i < 6; i++) {
      const [id] = await c.submit("bench-slow", 1, hash);
      const claim = await until(async () => c.events.find((e) => e.type === "run_claimed" && e.runId === id));
      // Land the kill anywhere in the heartbeat cycle.
      await sleep(200 + Math.random() * LEASE_MS);
      process.kill(claim.pid, "SIGKILL");
      const killedAt = Date.now();
      const taken = await until(async () =>
        c.events.find((e) => e.type === "run_claimed" && e.runId === id && e.pid !== claim.pid),
      );
      times.push(taken.at - killedAt);
      // Stop the run (its node would wait a minute) and replace the dead worker.
      await c.store.updateRun(id!, { cancelRequested: { compensate: false } });
      await c.start(1, "--concurrency", "4");
    }
    report({
      shape: "takeover",
      ratio: (LEASE_MS + 1_000) / Math.max(...times),
      median_ms: median(times),
      max_ms: Math.max(...times),
      lease_ms: LEASE_MS,
      note: `SIGKILL → run claimed by another worker: median ${median(times)} ms, max ${Math.max(...times)} ms (lease ${LEASE_MS} ms; goal ≤ ${LEASE_MS + 1_000} ms)`,
    });
  } finally {
    await c.close();
  }
}
