/**
 * `npm run bench [-- --json] [-- suite…]`: every file in bench/suites/ exports a suite that reports rows.
 * Baton and its peers run side by side in this one process; ratios matter, absolute times do not.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchRow, Suite } from "./harness.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const only = args.filter((a) => !a.startsWith("--"));
const dir = join(dirname(fileURLToPath(import.meta.url)), "suites");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort();

const rows: BenchRow[] = [];
const report = (row: BenchRow) => {
  rows.push(row);
  if (json) console.log(JSON.stringify(row));
  else console.error(`  ${row.shape}: ${describe(row)}`);
};

for (const file of files) {
  const name = file.replace(/\.ts$/, "");
  if (only.length > 0 && !only.includes(name)) continue;
  const suite = (await import(pathToFileURL(join(dir, file)).href)).default as Suite;
  if (!json) console.error(`suite ${name}`);
  await suite(report);
}

if (!json) {
  const peers = rows.filter((r) => r.node_ms === undefined);
  if (peers.length > 0)
    console.log("\n| shape | Baton | LangGraph.js | ratio (LangGraph/Baton) |\n|---|---|---|---|");
  for (const r of peers)
    console.log(`| ${r.shape} | ${cell(r, "baton")} | ${cell(r, "langgraph")} | ${r.ratio.toFixed(1)}× |`);
  const cli = rows.filter((r) => r.node_ms !== undefined);
  if (cli.length > 0) {
    console.log("\n| shape | Baton | bare `node -e 0` | ratio (Baton/node) |\n|---|---|---|---|");
    for (const r of cli)
      console.log(`| ${r.shape} | ${cell(r, "baton")} | ${cell(r, "node")} | ${r.ratio.toFixed(2)}× |`);
  }
}

function cell(r: BenchRow, who: "baton" | "langgraph" | "node"): string {
  const ms = r[`${who}_ms`] as number | undefined;
  const bytes = r[`${who}_bytes`] as number | undefined;
  if (ms !== undefined) return `${ms.toFixed(2)} ms`;
  if (bytes !== undefined) return `${(bytes / 1024).toFixed(0)} KiB`;
  return "–";
}

function describe(r: BenchRow): string {
  if (r.node_ms !== undefined)
    return `baton ${cell(r, "baton")}, node ${cell(r, "node")}, ratio ${r.ratio.toFixed(2)}×${r.note ? ` (${r.note})` : ""}`;
  return `baton ${cell(r, "baton")}, langgraph ${cell(r, "langgraph")}, ratio ${r.ratio.toFixed(1)}×${r.note ? ` (${r.note})` : ""}`;
}
