import type { RunStatus } from "../engine/records.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 3 } as const;

/** A mistake in how the command was called or configured: one clear line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function exitCodeFor(status: RunStatus): number {
  if (status === "completed") return EXIT.ok;
  if (status === "interrupted" || status === "pending") return EXIT.interrupted;
  return EXIT.failed;
}

/** Parse a JSON option, naming the option when it is malformed. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option} is not valid JSON: ${(error as Error).message}`);
  }
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
