import { hostname } from "node:os";
import type { OwnerGoneReason } from "../engine/history.js";
import type { AcquireResult, RunOwner, RunRecord } from "../engine/records.js";

/** This machine's name, read once (it does not change while we run). */
const HOST = hostname();
export const thisHost = (): string => HOST;

/** Is the process `pid` on this machine still there? (EPERM: it is, but belongs to someone else.) */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The owner runs on this machine and its process has exited: no need to wait for its lease. */
const exitedHere = (owner: RunOwner): boolean =>
  owner.host === thisHost() && owner.pid !== process.pid && owner.pid > 0 && !processAlive(owner.pid);

/**
 * Why a run's owner can be replaced, or undefined while it is alive: no owner at all, a lease that
 * ran out, or an owner on this machine whose process has exited.
 */
export function ownerGone(owner: RunOwner | undefined, now = Date.now()): OwnerGoneReason | undefined {
  if (!owner) return "released";
  if (owner.expiresAt <= now) return "lease expired";
  if (exitedHere(owner)) return "process exited";
  return undefined;
}

/**
 * Acquire a lease with a store's own compare-and-set, then once more replacing a holder found to
 * have exited on this machine. The second try replaces exactly that holder, so of several
 * processes racing to take over a crashed run, one wins.
 */
export async function acquireTakingOverExited(
  attempt: (replace: string | undefined) => AcquireResult | Promise<AcquireResult>,
  replace?: string,
): Promise<AcquireResult> {
  const first = await attempt(replace);
  if (first.acquired || !first.holder || !exitedHere(first.holder)) return first;
  return attempt(first.holder.id);
}

/** A run that needs a driver and has none alive: why, and since when (epoch ms). */
export interface Crash {
  readonly why: OwnerGoneReason;
  readonly since: number;
}

/** How an unfinished run's owner is gone (`baton recover` resumes it); undefined when it is fine. */
export function crashOf(run: RunRecord, now = Date.now()): Crash | undefined {
  if (run.status !== "running" && run.status !== "compensating") return undefined;
  const why = ownerGone(run.owner, now);
  if (!why) return undefined;
  return { why, since: run.owner ? Math.min(run.owner.expiresAt, now) : run.updatedAt };
}
