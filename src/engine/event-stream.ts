import type { RunEvent } from "./events.js";

/**
 * Turn a run that reports through a callback into an async iterator of its events. The iterator
 * ends when the run settles, and throws if the run throws.
 */
export async function* eventStream(
  start: (listener: (e: RunEvent) => void) => Promise<unknown>,
): AsyncGenerator<RunEvent> {
  const queue: RunEvent[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  let failure: { error: unknown } | undefined;
  const run = start((event) => {
    queue.push(event);
    wake?.();
  }).then(
    () => {
      settled = true;
      wake?.();
    },
    (error: unknown) => {
      failure = { error };
      settled = true;
      wake?.();
    },
  );
  while (true) {
    if (queue.length > 0) {
      yield queue.shift()!;
      continue;
    }
    if (settled) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  await run;
  if (failure) throw failure.error;
}
