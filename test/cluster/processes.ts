/**
 * Real `baton worker` processes (`node bin/baton.js`, built `dist/`) for the cluster tests and the
 * cluster benchmark: start them, read their JSON event lines, SIGTERM or SIGKILL them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const BIN = join(REPO, "bin/baton.js");

/** Throws unless `dist/` holds a build with the cluster in it. */
export function requireBuild(): void {
  if (!existsSync(join(REPO, "dist/cli/commands/worker.js")))
    throw new Error("dist/ has no baton worker: build first (npx tsc -p tsconfig.build.json, or npm test)");
}

/** `url` with `?schema=` set, so the processes use the test's own schema. */
export function schemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

/** One worker event line, with the pid of the process that printed it. */
export type LoggedEvent = Record<string, unknown> & {
  type: string;
  workerId: string;
  at: number;
  pid: number;
};

export interface WorkerProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Our environment without `BATON_*` variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Start `baton worker --json <args>`; every event line goes to `sink`. */
export function startWorker(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; sink: (e: LoggedEvent) => void },
): WorkerProcess {
  const proc = spawn(process.execPath, [BIN, "worker", "--json", ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = proc.pid!;
  let err = "";
  let buffer = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  proc.stderr!.on("data", (d: Buffer) => {
    err += d;
  });
  proc.stdout!.on("data", (d: Buffer) => {
    buffer += d;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const event = { ...(JSON.parse(line) as Record<string, unknown>), pid } as LoggedEvent;
      if (event.type === "worker_started") markReady();
      options.sink(event);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    proc.on("close", (code, signal) => done({ code, signal })),
  );
  exited.then(() => markReady());
  return { proc, pid, ready, exited, stderr: () => err };
}
