import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { McpManager } from "../../src/mcp/index.js";

/** True while a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Remembers every pid a manager ever ran, so afterAll can prove none is left behind. */
export class PidTracker {
  readonly pids = new Set<number>();
  track(manager: McpManager): void {
    for (const status of manager.status()) if (status.pid !== null) this.pids.add(status.pid);
  }
  add(pid: number | null | undefined): void {
    if (pid !== null && pid !== undefined) this.pids.add(pid);
  }
  alive(): number[] {
    return [...this.pids].filter(isAlive);
  }
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `baton-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TraceEvent {
  event: string;
  server: string;
  pid: number;
  tool?: string;
  requestId?: string | number;
  args?: Record<string, unknown>;
  idempotencyKey?: string;
  reason?: string;
}

export function readTrace(file: string): TraceEvent[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as TraceEvent);
  } catch {
    return [];
  }
}

const require = createRequire(import.meta.url);

/** Node arguments that run a TypeScript fixture server in its own process. */
export function fixtureArgs(name: string): string[] {
  const file = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return ["--import", pathToFileURL(require.resolve("tsx")).href, file];
}
