/** Short human forms for times and durations. */

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function clock(at: number): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function dateTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const shortId = (id: string) => (id.length > 13 ? `${id.slice(0, 8)}…` : id);

export function json(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** One line, cut to `max` characters. */
export function brief(value: unknown, max = 80): string {
  const text = value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The exact time with milliseconds and the zone, for hovers and screen readers. */
export function exactTime(at: number): string {
  const d = new Date(at);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${dateTime(at)}.${String(d.getMilliseconds()).padStart(3, "0")} UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}${zone ? ` (${zone})` : ""}`;
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 days ago"; future times "in 5 min". */
export function relative(at: number, now: number): string {
  const ms = now - at;
  const abs = Math.abs(ms);
  const say = (n: number, unit: string) => (ms >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 5_000) return "just now";
  if (abs < 60_000) return say(Math.round(abs / 1000), "s");
  if (abs < 3_600_000) return say(Math.round(abs / 60_000), "min");
  if (abs < 86_400_000) return say(Math.round(abs / 3_600_000), "h");
  const days = Math.round(abs / 86_400_000);
  return say(days, days === 1 ? "day" : "days");
}

/** 4213 -> "4,213" */
export const count = (n: number) => n.toLocaleString("en-US");

/**
 * A short name for a `Send` task's payload: its `label` when the workflow gives one, else its
 * first short text field (`{ city: "Tokyo" }` -> "Tokyo"), else nothing.
 */
export function payloadLabel(input: unknown): string | undefined {
  if (typeof input === "string") return input.length <= 40 ? input : `${input.slice(0, 39)}…`;
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const record = input as Record<string, unknown>;
  if (typeof record.label === "string" && record.label) return record.label;
  const text = Object.values(record).find((v) => typeof v === "string" && v.length > 0 && v.length <= 40);
  return typeof text === "string" ? text : undefined;
}
