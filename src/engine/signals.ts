/**
 * Control flow from inside a node: `ctx.interrupt()` and `ctx.abort()` stop the node by throwing one
 * of these; the runner turns them into values in the run's record at once.
 */
export class InterruptSignal {
  readonly payload: unknown;
  constructor(payload: unknown) {
    this.payload = payload;
  }
}

export class AbortRunSignal {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/** Why a run's signal was aborted from outside. */
export class CancelReason {
  readonly compensate: boolean;
  constructor(compensate: boolean) {
    this.compensate = compensate;
  }
}

/** Reject as soon as `signal` aborts, with its reason; otherwise settle like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** A child signal that aborts with its parent, or after `timeoutMs` with `onTimeout()`. */
export function childSignal(
  parent: AbortSignal,
  timeoutMs: number | undefined,
  onTimeout: () => unknown,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParent, { once: true });
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      parent.removeEventListener("abort", onParent);
    },
  };
}
