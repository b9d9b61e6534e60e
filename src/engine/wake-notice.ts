/**
 * Callers in this process waiting for a run to become due (see `holdRun`): an event sent from this
 * process wakes them at once instead of at their next look at the store.
 */
const waiting = new Map<string, Set<() => void>>();

export function onWakeNotice(runId: string, fn: () => void): () => void {
  let set = waiting.get(runId);
  if (!set) {
    set = new Set();
    waiting.set(runId, set);
  }
  set.add(fn);
  const own = set;
  return () => {
    own.delete(fn);
    if (own.size === 0 && waiting.get(runId) === own) waiting.delete(runId);
  };
}

export function noticeWake(runId: string): void {
  for (const fn of waiting.get(runId) ?? []) fn();
}
