import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { fail } from "./results.js";
import { trace } from "./trace.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The request `_meta` key carrying the caller's idempotency key (same as the client side). */
export const IDEMPOTENCY_META_KEY = "baton/idempotencyKey";

/** A handler error with a message meant for the caller (anything else is reported as an internal error). */
export class ToolInputError extends Error {}

/**
 * The caller's idempotency key, if it sent one. A key that is not a non-empty string is refused rather
 * than ignored: ignoring it would silently turn a write the caller meant to be applied once into one
 * that is applied on every retry.
 */
export function idempotencyKeyOf(extra: ToolExtra): string | undefined {
  const key = extra._meta?.[IDEMPOTENCY_META_KEY];
  if (key === undefined) return undefined;
  if (typeof key === "string" && key !== "") return key;
  const kind = key === null ? "null" : Array.isArray(key) ? "an array" : typeof key;
  const got = key === "" ? "an empty string" : kind;
  throw new ToolInputError(`_meta["${IDEMPOTENCY_META_KEY}"] must be a non-empty string, got ${got}`);
}

/**
 * Wraps a tool handler: traces the call and any cancellation the client sends, applies the test delay
 * (`delayMs`, abortable), and turns thrown errors into `isError` results.
 */
export function handled<A>(
  server: string,
  tool: string,
  delayMs: number,
  run: (args: A, extra: ToolExtra) => CallToolResult | Promise<CallToolResult>,
): (args: A, extra: ToolExtra) => Promise<CallToolResult> {
  return async (args, extra) => {
    const requestId = extra.requestId;
    const idempotencyKey = extra._meta?.[IDEMPOTENCY_META_KEY];
    trace(server, { event: "call", tool, requestId, args, idempotencyKey });
    const onAbort = () =>
      trace(server, { event: "cancelled", tool, requestId, reason: String(extra.signal.reason) });
    extra.signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (delayMs > 0) await delay(delayMs, extra.signal);
      return await run(args, extra);
    } catch (error) {
      if (error instanceof ToolInputError) return fail(error.message);
      if (extra.signal.aborted) return fail(`${tool} was cancelled`);
      return fail(`${tool} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      extra.signal.removeEventListener("abort", onAbort);
    }
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** A non-negative integer from the environment (test delays); 0 when unset or invalid. */
export function envMs(name: string): number {
  const value = Number(process.env[name] ?? 0);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
