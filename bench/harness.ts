/** One line of benchmark output: medians, and ratio = peer / Baton (higher is better for Baton). */
export interface BenchRow {
  shape: string;
  baton_ms?: number;
  langgraph_ms?: number;
  baton_bytes?: number;
  langgraph_bytes?: number;
  /** The cli suite's peer: bare `node -e 0` (its ratio is baton_ms / node_ms). */
  node_ms?: number;
  ratio: number;
  note?: string;
  [extra: string]: unknown;
}

export type Suite = (report: (row: BenchRow) => void) => Promise<void>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Time `fn` `runs` times after `warmup` untimed runs; the median in milliseconds. */
export async function timeMedian(fn: () => Promise<unknown>, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Interleave Baton and the peer so both see the same machine noise. */
export async function compare(
  baton: () => Promise<unknown>,
  peer: () => Promise<unknown>,
  runs: number,
): Promise<{ baton_ms: number; langgraph_ms: number; ratio: number }> {
  const b: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < 2; i++) {
    await baton();
    await peer();
  }
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await baton();
    b.push(performance.now() - t0);
    t0 = performance.now();
    await peer();
    p.push(performance.now() - t0);
  }
  const baton_ms = median(b);
  const langgraph_ms = median(p);
  return { baton_ms, langgraph_ms, ratio: langgraph_ms / baton_ms };
}
