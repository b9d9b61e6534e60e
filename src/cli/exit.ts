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
