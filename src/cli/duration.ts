import { UsageError } from "./exit.js";

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "10m", "1h30m", "2d", "500ms" as milliseconds; anything else (a negative, no unit) is refused, naming `option`. */
export function parseDuration(text: string, option: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const whole = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || whole !== text.trim().replace(/\s+/g, ""))
    throw new UsageError(
      `${option} must be a duration such as 90s, 10m, 2h or 1d (no negatives), not "${text}"`,
    );
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit!]!, 0);
}
