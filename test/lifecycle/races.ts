import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildCommand } from "../helpers/child-bundle.js";

/** Shared by the lifecycle tests: the outside ledger, and the takeover race with real processes. */
const REPO = join(import.meta.dirname, "../..");

export interface Entry {
  node: string;
  pid: number;
  key?: string;
}
export const ledgerOf = (file: string): Entry[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Entry)
    : [];
export const countBy = (entries: readonly Entry[]) => {
  const counts: Record<string, number> = {};
  for (const e of entries) counts[e.node] = (counts[e.node] ?? 0) + 1;
  return counts;
};
export const once = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, 1]));

export const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );

/**
 * One process starts `runs` runs and is killed with every run inside n3; then two processes try to
 * take over every run at once. Each run must be won by exactly one of them, and each node of each
 * run must have finished exactly once (n3 onwards in the winner).
 */
export async function takeoverRaces(child: ChildCommand, db: string, ledger: string, runs: number) {
  const start = (mode: string) => {
    const proc = spawn(process.execPath, [...child.args, mode, db, ledger, String(runs)], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    proc.stdout!.on("data", (d) => {
      out += d;
    });
    proc.stderr!.on("data", (d) => {
      err += d;
    });
    return exited(proc).then((e) => ({ ...e, out, err }));
  };
  const failures: string[] = [];
  const crash = await start("crash");
  if (crash.signal !== "SIGKILL") failures.push(`the crash child ended ${crash.code}: ${crash.err}`);
  const racers = await Promise.all([start("resume"), start("resume")]);
  const reports = racers.map((r) => {
    if (r.code !== 0) failures.push(`a racer exited ${r.code}: ${r.err}`);
    return JSON.parse(r.out || '{"pid":0,"won":[],"lost":[]}') as {
      pid: number;
      won: string[];
      lost: string[];
    };
  });
  const entries = ledgerOf(ledger) as Array<Entry & { runId: string }>;
  for (let i = 0; i < runs; i++) {
    const runId = `race-${i}`;
    const winners = reports.filter((r) => r.won.includes(runId));
    const losers = reports.filter((r) => r.lost.includes(runId));
    if (winners.length !== 1 || losers.length !== 1)
      failures.push(`${runId}: won by ${winners.length}, lost by ${losers.length}`);
    const mine = entries.filter((e) => e.runId === runId);
    const counts = countBy(mine);
    if (JSON.stringify(counts) !== JSON.stringify(once(["n1", "n2", "n3", "n4", "n5"])))
      failures.push(`${runId}: ledger ${JSON.stringify(counts)}`);
    const late = mine.filter((e) => ["n3", "n4", "n5"].includes(e.node));
    if (winners[0] && late.some((e) => e.pid !== winners[0]!.pid))
      failures.push(`${runId}: n3..n5 outside the winner`);
  }
  return { failures, won: reports.reduce((n, r) => n + r.won.length, 0) };
}
