/**
 * Where a cold `baton run <trivial .ts file>` spends its time: `npx tsx bench/cli-breakdown.ts [--json]`.
 * Each layer is a new Node process that imports everything of the layers above it, then its own
 * modules; a layer's cost is its median minus the median of the layer above (medians of RUNS starts,
 * the layers' processes interleaved so they share the machine's noise). The last layer is the real
 * command. Needs the built `dist/`. BENCH_CLI_REPO=<folder> measures another checkout's build.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median } from "./harness.js";
import { TRIVIAL } from "./suites/cli.js";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const REPO = resolve(process.env.BENCH_CLI_REPO ?? fileURLToPath(new URL("..", import.meta.url)));
const json = process.argv.includes("--json");
// As ESM resolves them (a require.resolve would pick the packages' CommonJS builds).
const pkg = (specifier: string) => import.meta.resolve(specifier);
const dist = (path: string) => pathToFileURL(join(REPO, "dist", path)).href;

interface Layer {
  name: string;
  /** Modules this layer adds (imported in order); or, for the last layer, the real command. */
  imports?: string[];
  setup?: string;
  command?: string[];
}

const dir = mkdtempSync(join(tmpdir(), "baton-bench-breakdown-"));
const file = join(dir, "trivial.ts");
writeFileSync(file, TRIVIAL);

const layers: Layer[] = [
  { name: "node -e 0 (the floor)", imports: [] },
  { name: "commander", imports: [pkg("commander")] },
  { name: "dist/cli/main.js: the command table (all of `baton --version`)", imports: [dist("cli/main.js")] },
  {
    name: "dist/cli/commands/run.js: the run command, tracing (@opentelemetry/api), the loader",
    imports: [dist("cli/commands/run.js")],
  },
  {
    name: "the SQLite store (better-sqlite3, dist/stores/sqlite)",
    imports: [dist("stores/sqlite/index.js")],
  },
  { name: "zod (the MCP configuration's schema, and the library's)", imports: [pkg("zod")] },
  {
    name: "MCP SDK client (client, stdio and HTTP transports, protocol types)",
    imports: [
      "@modelcontextprotocol/sdk/client/index.js",
      "@modelcontextprotocol/sdk/client/stdio.js",
      "@modelcontextprotocol/sdk/client/streamableHttp.js",
    ].map(pkg),
  },
  {
    name: "MCP SDK server (McpServer, for the exported server factories)",
    imports: ["@modelcontextprotocol/sdk/server/mcp.js", "@modelcontextprotocol/sdk/server/stdio.js"].map(
      pkg,
    ),
  },
  { name: "pg (the PostgreSQL driver)", imports: [pkg("pg")] },
  {
    name: 'dist/index.js: the rest of `import "baton"` (engine, stores, cluster, mcp, servers)',
    imports: [dist("index.js")],
  },
  {
    name: "tsx registered (its hooks thread loads tsx and esbuild)",
    imports: [pkg("tsx/esm/api")],
    setup: "(await import(IMPORTS.at(-1))).register();",
  },
  {
    name: "the real command: all of the above, trivial.ts through tsx, SQLite opened, one node run, closed",
    command: [join(REPO, "bin/baton.js"), "run", file, "--db", join(dir, "runs.db")],
  },
];

function script(upTo: number): string[] {
  const imports = layers.slice(0, upTo + 1).flatMap((l) => l.imports ?? []);
  const setup = layers[upTo]?.setup ?? "for (const m of IMPORTS) await import(m);";
  const body = layers[upTo]?.setup
    ? `for (const m of IMPORTS.slice(0, -1)) await import(m); ${setup}`
    : setup;
  return ["--input-type=module", "-e", `const IMPORTS = ${JSON.stringify(imports)}; ${body}`];
}

function time(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

try {
  const argsOf = layers.map((l, i) => (l.command ?? script(i)) as string[]);
  for (const args of argsOf) time(args); // warm-up: OS caches, the database file
  const samples = layers.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) for (const [i, args] of argsOf.entries()) samples[i]!.push(time(args));
  const medians = samples.map(median);
  const rows = layers.map((l, i) => ({
    layer: l.name,
    cumulative_ms: Math.round(medians[i]!),
    added_ms: Math.round(medians[i]! - (i === 0 ? 0 : medians[i - 1]!)),
  }));
  if (json) for (const r of rows) console.log(JSON.stringify(r));
  else {
    console.log("| layer | adds | cumulative |\n|---|---|---|");
    for (const r of rows) console.log(`| ${r.layer} | ${r.added_ms} ms | ${r.cumulative_ms} ms |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
