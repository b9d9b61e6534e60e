import type { Database } from "better-sqlite3";
import { BatonError } from "../../../errors.js";

/** Remember at most this many runs' keys; a run being driven is looked up once, then hits. */
const CACHE_LIMIT = 10_000;

/**
 * Run id -> the run's integer key, which task, checkpoint and saga rows are stored under. A key
 * never changes once given (runs are never deleted), so any process may cache it.
 */
export function runKeys(db: Database) {
  const select = db.prepare("SELECT key FROM runs WHERE id = ?").pluck();
  const cache = new Map<string, number>();

  const find = (runId: string): number | undefined => {
    const cached = cache.get(runId);
    if (cached !== undefined) return cached;
    const key = select.get(runId) as number | undefined;
    if (key !== undefined) remember(runId, key);
    return key;
  };
  const remember = (runId: string, key: number): void => {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(runId, key);
  };

  return {
    find,
    remember,
    /** The key of a run that must exist: records are only ever written for a created run. */
    require(runId: string): number {
      const key = find(runId);
      if (key === undefined)
        throw new BatonError("STORE", `No run "${runId}" in the store to write a record for`, { runId });
      return key;
    },
  };
}

export type RunKeys = ReturnType<typeof runKeys>;
