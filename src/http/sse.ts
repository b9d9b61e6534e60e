import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { FeedEvent } from "./api-types.js";
import type { EventHub } from "./event-hub.js";

/** A comment line now and then keeps proxies from closing an idle feed. */
const KEEP_ALIVE_MS = 15_000;

/**
 * A Server-Sent Events feed of the hub: one run's events (`runId`) or every run's. Each message is
 * an unnamed event whose data is the JSON event (its `type` inside), so `EventSource.onmessage` gets
 * them all. The first message is `{"type":"ready"}`, sent once the subscription is in place.
 */
export function eventFeed(c: Context, hub: EventHub, runId: string | undefined): Response {
  return streamSSE(c, async (stream) => {
    let id = 0;
    let chain: Promise<void> = Promise.resolve();
    const send = (data: unknown) => {
      chain = chain
        .then(() => stream.writeSSE({ data: JSON.stringify(data), id: String(++id) }))
        .catch(() => undefined);
    };
    const unsubscribe = hub.subscribe(runId, (event: FeedEvent) => send(event));
    const ping = setInterval(() => {
      chain = chain
        .then(() => stream.write(": keep-alive\n\n"))
        .then(
          () => undefined,
          () => undefined,
        );
    }, KEEP_ALIVE_MS);
    let stopHub = () => undefined as unknown;
    try {
      send({ type: "ready", ...(runId ? { runId } : {}) });
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        c.req.raw.signal?.addEventListener("abort", () => resolve(), { once: true });
        stopHub = hub.onClose(resolve);
      });
    } finally {
      clearInterval(ping);
      unsubscribe();
      stopHub();
      await chain;
    }
  });
}
