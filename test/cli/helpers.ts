/**
 * Run the real `baton` command (`node bin/baton.js`, built `dist/`) in child processes, each test in
 * its own temporary folder so its `.baton/` files (runs and the database server's SQLite) are its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const BIN = join(REPO, "bin/baton.js");

if (!existsSync(join(REPO, "dist/cli/main.js")))
  throw new Error("dist/ is missing: build first (npx tsc -p tsconfig.build.json, or npm test)");

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Our environment without `BATON_*` variables, so an outer setting cannot leak into a test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Start `baton <args>`; the caller reads or kills it. */
export function spawnBaton(args: readonly string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Run `baton <args>` to the end. */
export function baton(args: readonly string[], options: RunOptions): Promise<Result> {
  const child = spawnBaton(args, options);
  return collect(child, options.timeoutMs ?? 60_000, args);
}

function collect(child: ChildProcess, timeoutMs: number, args: readonly string[]): Promise<Result> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`baton ${args.join(" ")} took over ${timeoutMs}ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The one JSON object `--json` prints. */
export interface JsonReport {
  runId: string;
  status: string;
  output: Record<string, unknown>;
  errors: Array<Record<string, unknown>>;
  steps: number;
  durationMs: number;
  interrupts?: Array<{ node: string; payload: Record<string, unknown> }>;
}

/** `baton <args> --json`, parsed; the exit code comes along. */
export async function batonJson(
  args: readonly string[],
  options: RunOptions,
): Promise<JsonReport & { code: number | null; stderr: string }> {
  const r = await baton([...args, "--json"], options);
  let parsed: JsonReport;
  try {
    parsed = JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...parsed, code: r.code, stderr: r.stderr };
}

/** A fresh temporary folder, removed by `cleanup()`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `baton-cli-${label}-`));
  made.push(dir);
  return dir;
}
const made: string[] = [];
export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Resolves once `text` shows up in the child's stderr (the progress display). */
export function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  let seen = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`no ${pattern} in stderr within ${timeoutMs}ms:\n${seen}`)),
      timeoutMs,
    );
    child.stderr!.on("data", (d) => {
      seen += d;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        done(seen);
      }
    });
    child.on("close", () => {
      clearTimeout(timer);
      if (!pattern.test(seen)) fail(new Error(`exited before ${pattern} showed:\n${seen}`));
    });
  });
}

export const SAGA_TABLES = [
  "customers",
  "products",
  "inventory",
  "users",
  "payments",
  "notifications",
  "shipments",
] as const;

export type Snapshot = Record<string, Array<Record<string, unknown>>>;

export const databaseFile = (cwd: string) => join(cwd, ".baton/database.db");

/** Every row of the saga's tables in the database server's file, read while no server runs. */
export function snapshot(cwd: string): Snapshot {
  const db = new Database(databaseFile(cwd), { readonly: true, fileMustExist: true });
  try {
    const out: Snapshot = {};
    for (const t of SAGA_TABLES)
      out[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY id`).all() as Array<Record<string, unknown>>;
    return out;
  } finally {
    db.close();
  }
}

/**
 * A folder whose `.baton/database.db` is already created and seeded, copied from a template made
 * once by `baton mcp tools` (which starts the database server): "before the run" is then known.
 */
export async function seededDir(label: string): Promise<string> {
  template ??= (async () => {
    const dir = tempDir("template");
    const r = await baton(["mcp", "tools"], { cwd: dir });
    if (r.code !== 0) throw new Error(`baton mcp tools failed: ${r.stderr}`);
    return dir;
  })();
  const from = await template;
  const dir = tempDir(label);
  cpSync(join(from, ".baton"), join(dir, ".baton"), { recursive: true });
  return dir;
}
let template: Promise<string> | undefined;
