import { NonRetryableError } from "../errors.js";
import type { RetryPolicy } from "../graph/types.js";
import { onAbort } from "./signals.js";

export interface ResolvedRetry {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  readonly retryOn: (error: Error) => boolean;
}

export const NO_RETRY: RetryPolicy = { attempts: 1 };

const defaultRetryOn = (error: Error) => !(error instanceof NonRetryableError);

export function resolveRetry(
  policy: RetryPolicy | undefined,
  fallback: RetryPolicy = NO_RETRY,
): ResolvedRetry {
  const p = { ...fallback, ...policy };
  const jitter = p.jitter === true ? 0.2 : p.jitter === false || p.jitter === undefined ? 0 : p.jitter;
  const retryOn = p.retryOn;
  return {
    attempts: Math.max(1, Math.floor(p.attempts)),
    initialDelayMs: p.initialDelayMs ?? 100,
    backoffFactor: p.backoffFactor ?? 2,
    maxDelayMs: p.maxDelayMs ?? 30_000,
    jitter: Math.min(1, Math.max(0, jitter)),
    retryOn: retryOn ? (e) => defaultRetryOn(e) && retryOn(e) : defaultRetryOn,
  };
}

/** Delay before attempt `attempt + 1`, after `attempt` attempts failed. */
export function retryDelay(
  policy: ResolvedRetry,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffFactor ** (attempt - 1));
  if (policy.jitter === 0) return base;
  return Math.max(0, Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random())));
}

/** Wait `ms`, or less if `signal` aborts first (resolves either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const off = signal ? onAbort(signal, done) : undefined;
    function done() {
      clearTimeout(timer);
      off?.();
      resolve();
    }
  });
}
