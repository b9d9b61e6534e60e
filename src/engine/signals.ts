/**
 * Control flow from inside a node: `ctx.interrupt()` and `ctx.abort()` stop the node by throwing one
 * of these; the runner turns them into values in the run's record at once.
 */
export class InterruptSignal {
  readonly payload: unknown;
  /** The zod schema the answer must satisfy, when the node gave one. */
  readonly schema: unknown;
  /** A question a subgraph's run asked, passed up: its JSON Schema, and where it was asked. */
  readonly passed?: { readonly jsonSchema?: unknown; readonly from: InterruptOrigin };
  constructor(payload: unknown, schema?: unknown, passed?: InterruptSignal["passed"]) {
    this.payload = payload;
    this.schema = schema;
    if (passed) this.passed = passed;
  }
}

/** The subgraph run an interrupt was asked in, and its own interrupts there. */
export interface InterruptOrigin {
  readonly runId: string;
  readonly interrupts: readonly import("./records.js").InterruptInfo[];
}

/**
 * A node waits (`ctx.sleep`, `ctx.waitForEvent`): its attempt ends here, its durable calls so far
 * are stored with what it waits for, and its code runs again from the top once the wait is over.
 */
export class WaitSignal {
  readonly wait: PendingWait;
  constructor(wait: PendingWait) {
    this.wait = wait;
  }
}

/** What a node waits for, before the store knows which task it is. */
export type PendingWait =
  | { readonly kind: "sleep"; readonly until: number }
  | { readonly kind: "event"; readonly event: string; readonly until?: number; readonly schema?: unknown };

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

/**
 * Why a run's owner stopped driving it without ending it (Ctrl-C, shutdown, a lost lease): in-flight
 * nodes are aborted, finished work is kept, and the run stays resumable.
 */
export class StopReason {
  readonly why: string;
  constructor(why: string) {
    this.why = why;
  }
}

type Waiter = (reason: unknown) => void;
const waiters = new WeakMap<AbortSignal, Set<Waiter>>();

/**
 * Call `fn` when `signal` aborts (the caller checks `aborted` first); returns the unsubscribe.
 * Everyone shares one listener per signal: a step of many parallel nodes would otherwise add one
 * listener each to the run's signal, and Node warns past ten.
 */
export function onAbort(signal: AbortSignal, fn: Waiter): () => void {
  let set = waiters.get(signal);
  if (!set) {
    const shared = new Set<Waiter>();
    set = shared;
    waiters.set(signal, shared);
    const fire = () => {
      for (const waiter of shared) waiter(signal.reason);
      shared.clear();
    };
    signal.addEventListener("abort", fire, { once: true });
  }
  set.add(fn);
  const own = set;
  return () => {
    own.delete(fn);
  };
}

/** Reject as soon as `signal` aborts, with its reason; otherwise settle like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const off = onAbort(signal, reject);
    promise.then(
      (v) => {
        off();
        resolve(v);
      },
      (e) => {
        off();
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
  let off: (() => void) | undefined;
  if (parent.aborted) controller.abort(parent.reason);
  else off = onAbort(parent, (reason) => controller.abort(reason));
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      off?.();
    },
  };
}
