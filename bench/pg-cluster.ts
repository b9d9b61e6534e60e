/**
 * The postgres suite's cluster rows: runs3 (init, three branches, a join: every node durable)
 * submitted to 1, 2 and 4 real `baton worker` processes, with trivial nodes and with nodes that
 * wait 20 ms (a tool call), and how soon an idle worker starts a submitted run. Skipped, with a
 * note, when `dist/` has no worker (build first).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { append, defineState, END, START, StateGraph, value } from "../src/index.js";
import { requireBuild } from "../test/cluster/processes.js";
import { latencies, latencyRow, type Report, type Site, series } from "./cluster-kit.js";

const RUNS = Number(process.env.BENCH_PG_CLUSTER_RUNS ?? 1_000);
const IO_RUNS = Number(process.env.BENCH_PG_CLUSTER_IO_RUNS ?? 400);

/** runs3 as a workflow file; `wait` ms in every node (0: none). */
const runs3 = (name: string, wait: number) => `
import { append, defineState, END, START, StateGraph, value } from "baton";
const State = defineState({ n: value(0), items: append() });
const node = (update) => ${wait > 0 ? `() => new Promise((r) => setTimeout(() => r(update), ${wait}))` : "() => update"};
const branches = ["b0", "b1", "b2"];
export default (ctx) => {
  const g = new StateGraph(State).addNode("init", node({ n: 0 })).addEdge(START, "init");
  branches.forEach((b, i) => g.addNode(b, node({ items: i })).addEdge("init", b));
  return g.addNode("agg", (s) => ({ n: s.items.length })).addEdge(branches, "agg").addEdge("agg", END)
    .compile({ store: ctx.store, name: "${name}" });
};
`;

/** The hash the workers' runs3 has: the same structure built here (node bodies are not hashed). */
function runs3Hash(): string {
  const branches = ["b0", "b1", "b2"];
  const g = new StateGraph(defineState({ n: value(0), items: append<number>() }))
    .addNode("init", () => ({ n: 0 }))
    .addEdge(START, "init");
  for (const [i, b] of branches.entries()) g.addNode(b, () => ({ items: i })).addEdge("init", b);
  return g
    .addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(branches, "agg")
    .addEdge("agg", END)
    .compile({ store: false }).hash;
}

export async function clusterRows(url: string, report: Report): Promise<void> {
  try {
    requireBuild();
  } catch (error) {
    return void console.error(`  cluster rows skipped: ${(error as Error).message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-pg-cluster-"));
  writeFileSync(join(dir, "runs3.ts"), runs3("bench-runs3", 0));
  writeFileSync(join(dir, "runs3-io.ts"), runs3("bench-runs3-io", 20));
  const site: Site = { url, dir, workflows: ["runs3.ts", "runs3-io.ts"] };
  const hash = runs3Hash();
  try {
    await series(site, report, {
      shape: "cluster-runs3",
      graph: "bench-runs3",
      hash,
      runs: RUNS,
      concurrency: 16,
      what: "runs3, trivial nodes",
    });
    await series(site, report, {
      shape: "cluster-runs3-io",
      graph: "bench-runs3-io",
      hash,
      runs: IO_RUNS,
      concurrency: 16,
      what: "runs3, every node waiting 20 ms (60 ms critical path)",
    });
    const l = await latencies(site, "bench-runs3", hash);
    report(latencyRow("submit-to-start", l.submitToStart, "idle worker: submitted → engine running"));
    report(latencyRow("submit-to-claim", l.toClaim, "of which submitted → claimed (NOTIFY)"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
