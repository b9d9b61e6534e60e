/** Record payloads are stored as compact JSON text; absent values as NULL, never as "null". */
export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export const fromJson = <T>(text: string | null): T | undefined =>
  text === null ? undefined : (JSON.parse(text) as T);
