import { useState } from "react";
import { exactTime, relative } from "../lib/format.js";

/**
 * "5 min ago", with the exact time and zone on hover; a click or Enter shows it in place, so the
 * keyboard and touch screens reach it too.
 */
export function RelativeTime({ at, now }: { at: number; now: number }) {
  const [exact, setExact] = useState(false);
  const full = exactTime(at);
  return (
    <button
      type="button"
      className="link time"
      title={full}
      aria-label={`${relative(at, now)}, ${full}`}
      aria-pressed={exact}
      onClick={() => setExact(!exact)}
      data-exact={full}
    >
      <time dateTime={new Date(at).toISOString()}>{exact ? full : relative(at, now)}</time>
    </button>
  );
}
