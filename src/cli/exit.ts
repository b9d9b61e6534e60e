import type { RunStatus } from "../engine/records.js";
import { UsageError } from "../host/usage-error.js";

// Shared with the host (the workflow loader and runtime the HTTP server uses too); the CLI's name for them.
export { parseJsonOption, UsageError } from "../host/usage-error.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 3 } as const;

export function exitCodeFor(status: RunStatus): number {
  if (status === "completed") return EXIT.ok;
  // Not finished, nothing wrong: a person, a time or an event is awaited.
  if (status === "interrupted" || status === "pending" || status === "sleeping" || status === "waiting")
    return EXIT.interrupted;
  return EXIT.failed;
}

/** Wraps a command's action so its exit code reaches `main`. */
export type Act = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** Parse a whole-number option, naming the option and the range when it is out of it. */
export function wholeNumberOption(text: string, option: string, min: number, max = Infinity): number {
  const n = Number(text);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  const range =
    max !== Infinity
      ? `a whole number from ${min} to ${max}`
      : min === 1
        ? "a positive integer"
        : `a whole number ≥ ${min}`;
  throw new UsageError(`${option} must be ${range}, not "${text}"`);
}
