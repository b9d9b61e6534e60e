/**
 * A fast start, through the real `baton` command: each command loads only what it uses (checked by
 * listing every module the process loads), tsx only for TypeScript workflow files, and the MCP servers
 * a run needs start before its first step, saying so, outside the first node's time.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, cleanup, REPO, seededDir, tempDir } from "./helpers.js";

afterAll(cleanup);

/** A loader hook that prints every module URL the process loads (on stderr, from the hooks thread). */
function tracer(dir: string): string {
  writeFileSync(
    join(dir, "trace-hooks.mjs"),
    `export async function load(url, context, next) {\n  process._rawDebug("LOADED " + url);\n  return next(url, context);\n}\n`,
  );
  writeFileSync(
    join(dir, "trace.mjs"),
    `import { register } from "node:module";\nregister("./trace-hooks.mjs", import.meta.url);\n`,
  );
  return join(dir, "trace.mjs");
}

/** The modules `baton <args>` loads: package names (node_modules/<name>) and Baton's own dist files. */
async function loaded(
  args: string[],
  cwd: string,
): Promise<{ packages: Set<string>; own: string[]; code: number | null }> {
  const r = await baton(args, { cwd, env: { NODE_OPTIONS: `--import=${tracer(cwd)}` } });
  const urls = [...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]!);
  const packages = new Set(
    urls.flatMap((u) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      return m ? [m[1]!] : [];
    }),
  );
  const own = urls.filter((u) => u.includes("/dist/")).map((u) => u.slice(u.indexOf("/dist/") + 1));
  return { packages, own, code: r.code };
}

const TRIVIAL = readFileSync(join(REPO, "test/fixtures/trivial-workflow.ts"), "utf8");

describe.concurrent("commands load only what they use", () => {
  it("--version and --help load commander and the command table, nothing else", async () => {
    const cwd = tempDir("startup-version");
    for (const args of [["--version"], ["--help"], ["run", "--help"]]) {
      const { packages, own, code } = await loaded(args, cwd);
      expect(code).toBe(0);
      expect([...packages]).toEqual(["commander"]);
      // The command table (main and its schedule commands) and, of the host (src/host), only the
      // UsageError class main tells usage errors apart with (no imports).
      expect(own.sort()).toEqual([
        "dist/cli/exit.js",
        "dist/cli/main.js",
        "dist/cli/schedule-commands.js",
        "dist/host/usage-error.js",
      ]);
    }
  });

  it("baton runs opens the store without MCP, HTTP, tsx or the workflows", async () => {
    const cwd = tempDir("startup-runs");
    const { packages, own, code } = await loaded(["runs"], cwd);
    expect(code).toBe(0);
    expect(packages.has("better-sqlite3")).toBe(true);
    for (const name of ["@modelcontextprotocol/sdk", "hono", "@hono/node-server", "tsx", "esbuild", "pg"])
      expect(packages.has(name), name).toBe(false);
    expect(own.filter((f) => /dist\/(workflows|mcp\/manager|http|servers)\//.test(f))).toEqual([]);
  });

  it("tsx is registered for a .ts workflow file only", async () => {
    const cwd = tempDir("startup-tsx");
    // A project that depends on Baton: node_modules/baton is this package.
    mkdirSync(join(cwd, "node_modules"));
    symlinkSync(REPO, join(cwd, "node_modules/baton"), "dir");
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(cwd, "flow.js"), TRIVIAL);
    writeFileSync(join(cwd, "flow-ts.ts"), TRIVIAL);
    const js = await loaded(["run", "flow.js"], cwd);
    expect(js.code).toBe(0);
    expect(js.packages.has("tsx")).toBe(false);
    expect(js.packages.has("esbuild")).toBe(false);
    const ts = await loaded(["run", "flow-ts.ts"], cwd);
    expect(ts.code).toBe(0);
    expect(ts.packages.has("tsx")).toBe(true);
  });
});

describe.concurrent("MCP servers start with the run", () => {
  it("baton run order-saga starts its servers before step 1, says so, and keeps them out of node times", async () => {
    const cwd = await seededDir("startup-mcp");
    const r = await baton(["run", "order-saga"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split("\n");
    const starting = lines.findIndex((l) => /^starting MCP servers: .*database.*…$/.test(l));
    const ready = lines.findIndex((l) => /^✓ MCP servers ready: .*database.* {2}\d+\.\ds$/.test(l));
    const running = lines.findIndex((l) => l.startsWith("running order-saga"));
    const step1 = lines.findIndex((l) => /^ {2}step {2}1 {2}✓ create_account \d+ms/.test(l));
    expect(starting, r.stderr).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(starting);
    expect(running).toBeGreaterThan(ready);
    expect(step1).toBeGreaterThan(running);
    // The first node's time is its own calls' (a few ms), not a server start (hundreds).
    const startMs = Number(/ready: .* {2}(\d+\.\d)s/.exec(lines[ready]!)![1]) * 1000;
    const firstNodeMs = Number(/create_account (\d+)ms/.exec(lines[step1]!)![1]);
    expect(firstNodeMs).toBeLessThan(Math.max(startMs, 200));
  });

  it("--json prints no start line; baton graph starts no server", async () => {
    const cwd = await seededDir("startup-mcp-quiet");
    const json = await baton(["run", "order-saga", "--json"], { cwd });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).not.toContain("MCP servers");
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "completed" });
    // A folder the database server never ran in: it would have created its file there.
    const fresh = tempDir("startup-graph");
    const graph = await baton(["graph", "order-saga"], { cwd: fresh });
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.stdout).toMatch(/^flowchart/);
    expect(graph.stderr).toBe("");
    expect(existsSync(join(fresh, ".baton/database.db"))).toBe(false);
  });
});
