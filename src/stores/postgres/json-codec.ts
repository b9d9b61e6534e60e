/**
 * JSON payloads in JSONB columns. JSONB strings are PostgreSQL text, which cannot hold U+0000, yet
 * tool output and user input may contain it. Strings (and keys) holding U+0000 are therefore
 * stored with it escaped: U+0000 as U+E000 "0", and U+E000 itself as U+E000 U+E000 (a private-use
 * character, so the escape is reversible and almost never needed). Values without either character
 * — nearly all — are stored as `JSON.stringify` wrote them and cost one substring scan.
 */

const ESC = "\uE000";
const NUL_ESCAPED = "\\u0000";

/** The text to bind to a `$n::jsonb` parameter; `undefined` is SQL NULL. */
export function toJsonText(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  if (!text.includes(NUL_ESCAPED) && !text.includes(ESC)) return text;
  return JSON.stringify(mapStrings(JSON.parse(text), escapeNul));
}

/** The value of a jsonb column read as `col::text`; SQL NULL is `undefined`. */
export function fromJsonText<T = unknown>(text: string | null): T | undefined {
  if (text === null) return undefined;
  const value = JSON.parse(text) as T;
  return text.includes(ESC) ? (mapStrings(value, unescapeNul) as T) : value;
}

const escapeNul = (s: string) => s.replaceAll(ESC, ESC + ESC).replaceAll("\u0000", `${ESC}0`);
const unescapeNul = (s: string) =>
  s.replace(/\uE000(\uE000|0)/g, (_, c: string) => (c === "0" ? "\u0000" : ESC));

/** Apply `f` to every string and object key of a parsed JSON value. */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), mapStrings(v, f)]));
  }
  return value;
}
