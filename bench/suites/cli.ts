/**
 * Cold starts of the `baton` command (built `dist/`, `node bin/baton.js`, a new process each time)
 * against bare `node -e 0` on the same machine at the same moment:
 * - `baton --version` (goal ≤ 2× bare node);
 * - `baton run <trivial .ts file>`: a one-node workflow file that imports "baton" (goal ≤ 4×), in a
 *   folder whose node_modules/baton is this package, as in a project that depends on it;
 * - `baton run order-saga`: the shipped saga, its bundled MCP servers started and stopped;
 * - and, to show what TypeScript costs, the same trivial workflow as a `.js` file (no tsx).
 * Each row: medians of RUNS starts, `baton_ms`, `node_ms` and `ratio` = baton_ms / node_ms (lower is
 * better; here, unlike the other suites, the peer is bare Node). Baton and node runs alternate, so both
 * see the same noise. Skipped, with a note, when `dist/` is not built.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median, type Suite } from "../harness.js";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BIN = join(REPO, "bin/baton.js");

/** The smallest workflow (one node), as its source text. */
export const TRIVIAL = readFileSync(join(REPO, "test/fixtures/trivial-workflow.ts"), "utf8");

/** Our environment without `BATON_*` settings, without colours. */
function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) out[k] = v;
  return out;
}

/** Wall time of one new process, from spawn to exit; a non-zero exit is an error. */
function time(args: readonly string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env: env(), stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** One untimed warm-up each (files created, OS caches filled), then RUNS alternating pairs. */
function against(args: readonly string[], cwd: string): { baton_ms: number; node_ms: number; ratio: number } {
  time(["-e", "0"], cwd);
  time(args, cwd);
  const baton: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(time(["-e", "0"], cwd));
    baton.push(time(args, cwd));
  }
  const baton_ms = median(baton);
  const node_ms = median(node);
  return { baton_ms, node_ms, ratio: baton_ms / node_ms };
}

const suite: Suite = async (report) => {
  if (!existsSync(join(REPO, "dist/cli/main.js")))
    return void console.error("  skipped: dist/ is missing (npm run build)");
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-cli-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(REPO, join(dir, "node_modules/baton"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
    writeFileSync(join(dir, "trivial.ts"), TRIVIAL);
    writeFileSync(join(dir, "trivial.js"), TRIVIAL);
    const rows = [
      { shape: "cli-version", args: [BIN, "--version"], goal: 2, what: "baton --version" },
      { shape: "cli-run-trivial", args: [BIN, "run", "trivial.ts"], goal: 4, what: "baton run trivial.ts" },
      {
        shape: "cli-run-order-saga",
        args: [BIN, "run", "order-saga"],
        goal: undefined,
        what: "baton run order-saga",
      },
      {
        shape: "cli-run-trivial-js",
        args: [BIN, "run", "trivial.js"],
        goal: undefined,
        what: "baton run trivial.js (the same workflow as JavaScript: no tsx)",
      },
    ];
    for (const row of rows) {
      const r = against(row.args, dir);
      report({
        shape: row.shape,
        ...r,
        note: `${row.what}: median of ${RUNS} cold starts ${r.baton_ms.toFixed(0)} ms, node -e 0 ${r.node_ms.toFixed(0)} ms${row.goal ? ` (goal ≤ ${row.goal}×: ${r.ratio <= row.goal ? "met" : "not met"})` : ""}`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
