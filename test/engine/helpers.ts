/** Small shared helpers for the engine tests. */
import type { RunEvent } from "../../src/engine/events.js";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise with its resolver outside, to hold a node until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when `signal` aborts (for nodes that wait to be cancelled). */
export const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/** A node body that never ends by itself: it rejects with the signal's reason once aborted. */
export const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

/** Collect every event of a stream. */
export async function collect(stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

/** Node names in order of the given event type. */
export const nodesOf = (events: readonly RunEvent[], type: RunEvent["type"]) =>
  events.flatMap((e) => (e.type === type && "node" in e ? [e.node] : []));
