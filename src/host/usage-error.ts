/** A mistake in how the command was called or configured: one clear line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parse a JSON option, naming the option when it is malformed. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option} is not valid JSON: ${(error as Error).message}`);
  }
}
