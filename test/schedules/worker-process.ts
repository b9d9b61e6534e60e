import type { ChildProcess } from "node:child_process";
import { spawnBaton } from "../cli/helpers.js";

export interface Worker {
  readonly child: ChildProcess;
  /** The runs this worker drove (`run_woken`). */
  readonly drove: string[];
  readonly exited: Promise<void>;
}

/** `baton worker <args> --json`, once it says it started. */
export function startWorker(args: readonly string[], cwd: string): Promise<Worker> {
  const child = spawnBaton(["worker", ...args, "--json"], { cwd });
  const drove: string[] = [];
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let rest = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d;
  });
  return new Promise((ready, fail) => {
    child.stdout!.on("data", (d: Buffer) => {
      const lines = (rest + d).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as { type?: string; runId?: string };
        if (event.type === "runner_started" || event.type === "worker_started")
          ready({ child, drove, exited });
        if (event.type === "run_woken" && event.runId) drove.push(event.runId);
      }
    });
    child.on("exit", (code, signal) =>
      fail(new Error(`worker exited (${code ?? signal}) before it started: ${err}`)),
    );
  });
}

/** The tick a run id names (`every-second:<ISO time>`); a run starting clears its wake time. */
export const tickOf = (runId: string) => Date.parse(runId.slice("every-second:".length));

/** Poll until `check` holds: the tests wait for the state they assert, never a fixed time. */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
