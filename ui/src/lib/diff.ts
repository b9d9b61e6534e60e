/** What changed between two states, path by path: the diff the run page shows for each checkpoint. */

export interface Change {
  /** `key`, `key.sub`, `list[3]` */
  readonly path: string;
  readonly kind: "added" | "removed" | "changed";
  readonly before?: unknown;
  readonly after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function diffStates(before: unknown, after: unknown, path = "", depth = 0): Change[] {
  if (same(before, after)) return [];
  if (depth < 6 && isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in before)) return [{ path: p, kind: "added" as const, after: after[k] }];
      if (!(k in after)) return [{ path: p, kind: "removed" as const, before: before[k] }];
      return diffStates(before[k], after[k], p, depth + 1);
    });
  }
  if (depth < 6 && Array.isArray(before) && Array.isArray(after)) {
    // Lists mostly grow (append channels): report the new items, and any item that changed.
    const out: Change[] = [];
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) out.push(...diffStates(before[i], after[i], `${path}[${i}]`, depth + 1));
    for (let i = common; i < after.length; i++)
      out.push({ path: `${path}[${i}]`, kind: "added", after: after[i] });
    for (let i = common; i < before.length; i++)
      out.push({ path: `${path}[${i}]`, kind: "removed", before: before[i] });
    return out;
  }
  if (before === undefined) return [{ path, kind: "added", after }];
  if (after === undefined) return [{ path, kind: "removed", before }];
  return [{ path, kind: "changed", before, after }];
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
