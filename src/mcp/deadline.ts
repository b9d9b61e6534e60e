export const MAX_TIMER_MS = 2_147_483_647;

/**
 * One call's budget: a signal aborted when the caller aborts or the time runs out, and which of the two
 * happened. Passing this signal to the SDK makes it send `notifications/cancelled` to the server.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly expiresAt: number;
  private expired = false;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    readonly timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    // setTimeout fires at once for delays past 2^31-1 ms: treat those (and Infinity) as "no timeout".
    const bounded = Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS;
    this.expiresAt = bounded ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    this.timer = bounded
      ? setTimeout(() => {
          this.expired = true;
          this.controller.abort(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.expired;
  }

  get callerAborted(): boolean {
    return this.caller?.aborted === true && !this.expired;
  }

  /** What a call aborted by its caller rejects with: the caller's reason, as `fetch` does. */
  callerReason(): unknown {
    const reason = this.caller?.reason;
    return reason ?? new DOMException("The operation was aborted", "AbortError");
  }

  /** Time left, capped so it is always a valid timer delay. */
  remainingMs(): number {
    return Math.min(MAX_TIMER_MS, Math.max(0, this.expiresAt - Date.now()));
  }

  /** Stops the timer and forgets the caller's signal (a long-lived signal must not collect listeners). */
  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener("abort", this.onCallerAbort);
  }
}

/** Resolves like `promise`, or rejects as soon as `signal` aborts (the work itself goes on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return raceAbort(
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
    }),
    signal,
  );
}
