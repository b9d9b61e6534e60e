/**
 * JSON with every object's keys sorted, at every depth, so that two arguments that mean the same thing
 * (`{ a: 1, b: 2 }` and `{ b: 2, a: 1 }`) give the same text and so the same idempotency hash. Arrays keep
 * their order: order is meaning there. Tool arguments are plain JSON (they came off the wire), so this
 * needs no handling of dates, maps or cycles.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
