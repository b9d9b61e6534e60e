/**
 * Where a moment sits on the timeline, in percent of its width. `linear` is true to the clock;
 * `compressed` gives each stretch between two events a width growing with the logarithm of its
 * length, so a 6 ms undo stays readable beside a 2 s start-up or a 44 s wait for approval.
 */
export type ScaleMode = "compressed" | "linear";

export interface Scale {
  readonly mode: ScaleMode;
  /** 0–100 */
  x(at: number): number;
  /** Axis labels, at least `minGapPct` apart so they never overlap. */
  readonly ticks: ReadonlyArray<{ readonly at: number; readonly pct: number }>;
}

const weight = (ms: number) => (ms <= 0 ? 0 : Math.log2(1 + ms / 2));

export function makeScale(
  start: number,
  end: number,
  points: readonly number[],
  mode: ScaleMode,
  minGapPct = 14,
): Scale {
  const span = Math.max(1, end - start);
  if (mode === "linear") {
    const x = (at: number) => clamp(((at - start) / span) * 100);
    return {
      mode,
      x,
      ticks: spaced(
        niceTicks(span).map((t) => start + t),
        x,
        minGapPct,
      ),
    };
  }
  const stops = [...new Set([start, end, ...points.filter((p) => p > start && p < end)])].sort(
    (a, b) => a - b,
  );
  const cumulative = [0];
  for (let i = 1; i < stops.length; i++)
    cumulative.push(cumulative[i - 1]! + weight(stops[i]! - stops[i - 1]!));
  const total = cumulative.at(-1)! || 1;
  const x = (at: number) => {
    if (at <= start) return 0;
    if (at >= end) return 100;
    let lo = 0;
    let hi = stops.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (stops[mid]! <= at) lo = mid;
      else hi = mid;
    }
    const d = stops[hi]! - stops[lo]!;
    const within = d > 0 ? weight(at - stops[lo]!) / weight(d) : 0;
    return clamp(((cumulative[lo]! + within * (cumulative[hi]! - cumulative[lo]!)) / total) * 100);
  };
  return { mode, x, ticks: spaced(stops, x, minGapPct) };
}

const clamp = (pct: number) => Math.min(100, Math.max(0, pct));

/** Keep the first candidate, then each one far enough from the last kept (the end always). */
function spaced(candidates: readonly number[], x: (at: number) => number, gap: number) {
  const out: Array<{ at: number; pct: number }> = [];
  for (const at of candidates.slice(0, -1)) {
    const pct = x(at);
    if (out.length === 0 || pct - out.at(-1)!.pct >= gap) out.push({ at, pct });
  }
  const last = candidates.at(-1);
  if (last !== undefined && out.length === 0) out.push({ at: last, pct: x(last) });
  else if (last !== undefined) {
    const pct = x(last);
    // The end's label stands left of its tick (the others are centred): it needs more room.
    // Too close to the tick before: the end replaces it, unless that is the start.
    if (pct - out.at(-1)!.pct >= gap * 1.5) out.push({ at: last, pct });
    else if (out.length > 1) out.splice(-1, 1, { at: last, pct });
  }
  return out;
}

/** Round spacing (1, 2, 5 × 10^n ms) giving about six ticks. */
function niceTicks(span: number): number[] {
  const raw = span / 6;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw) ?? base * 10;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}
