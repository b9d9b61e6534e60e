/**
 * In-process news of step tasks finishing, so a run's driver waiting on a distributed step checks
 * at once when a task finishes here, and polls only for tasks finishing on other workers.
 */
export class StepSignals {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves after `ms`, when a task of the step finishes here, or when `signal` aborts. */
  wait(runId: string, step: number, ms: number, signal: AbortSignal): Promise<void> {
    const key = `${runId}\0${step}`;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.waiting.get(key)?.delete(done);
        if (this.waiting.get(key)?.size === 0) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      set.add(done);
    });
  }

  finished(runId: string, step: number): void {
    for (const done of [...(this.waiting.get(`${runId}\0${step}`) ?? [])]) done();
  }
}
