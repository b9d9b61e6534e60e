/** Runs executing in this process, so `cancel()` can abort them directly through their signal. */
const active = new Map<string, AbortController>();

export function registerActive(runId: string, controller: AbortController): () => void {
  active.set(runId, controller);
  return () => {
    if (active.get(runId) === controller) active.delete(runId);
  };
}

export const activeRun = (runId: string): AbortController | undefined => active.get(runId);
