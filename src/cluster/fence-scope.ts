import { AsyncLocalStorage } from "node:async_hooks";
import type { TaskRecord } from "../engine/records.js";
import type { Fence } from "../stores/postgres/cluster-store.js";

/**
 * The lease the code running right now works under. A worker runs each run and each step task inside
 * its own scope; the store the workflow was compiled with (`fencedStore`) reads the scope on every
 * write, so the engine needs no notion of leases, and a write made after the lease was lost — even
 * by code still running from before — is refused by the database.
 */
export interface FenceScope {
  readonly fence: Fence;
  /** Told when a task stores a `retrying` record, so the worker can hand the wait to the queue. */
  readonly onRetrying?: (record: TaskRecord) => void;
}

const scopes = new AsyncLocalStorage<FenceScope>();

export function underFence<T>(scope: FenceScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

export const currentFence = (): FenceScope | undefined => scopes.getStore();
