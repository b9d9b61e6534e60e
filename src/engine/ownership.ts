import { BatonError } from "../errors.js";
import type { OwnerGoneReason } from "./history.js";
import type { LeaseRequest, RunOwner } from "./records.js";
import type { Store } from "./store.js";

/** How long a lease lasts unless renewed (`BATON_LEASE_MS`); owners renew it every third of that. */
export const DEFAULT_LEASE_MS = Number(globalThis.process?.env.BATON_LEASE_MS) || 30_000;

/** A fresh owner id: one per drive of a run, so two drives in one process never share a lease. */
export function newOwnerId(): string {
  return `owner-${globalThis.process?.pid ?? 0}-${globalThis.crypto.randomUUID().slice(0, 8)}`;
}

export function describeOwner(owner: RunOwner): string {
  return `${owner.id} (host ${owner.host}, pid ${owner.pid}) since ${new Date(owner.since).toISOString()}`;
}

/** Refused: somebody alive drives the run. */
export class RunBusyError extends BatonError {
  readonly owner: RunOwner | undefined;
  constructor(runId: string, owner: RunOwner | undefined) {
    const who = owner ? describeOwner(owner) : "another process";
    super(
      "RUN_BUSY",
      `Run ${runId} is being driven by ${who}; wait for it to stop, or cancel it (baton cancel ${runId})`,
      { runId },
    );
    this.owner = owner;
  }
}

export interface Taken {
  /** The lease as taken. */
  owner: RunOwner;
  previous?: RunOwner;
  why?: OwnerGoneReason;
}

/**
 * Take a run's lease for this process; the store takes it over when its owner is gone (lease
 * expired, or a process on the store's machine that exited). Throws `RunBusyError` while a live
 * owner holds it. Of several processes racing for a run, exactly one gets it.
 */
export async function takeRun(store: Store, runId: string, request: LeaseRequest): Promise<Taken> {
  const result = await store.acquireRun(runId, request);
  if (!result.acquired) {
    if (result.missing) throw new BatonError("RUN_NOT_FOUND", `No run with id "${runId}"`, { runId });
    throw new RunBusyError(runId, result.holder);
  }
  return tookOver(result.owner, result.previous, Date.now());
}

/** What taking a run from `previous` (if anyone held it) means for the history. */
export function tookOver(owner: RunOwner, previous: RunOwner | undefined, now: number): Taken {
  if (!previous) return { owner };
  const why: OwnerGoneReason = previous.expiresAt <= now ? "lease expired" : "process exited";
  return { owner, previous, why };
}
