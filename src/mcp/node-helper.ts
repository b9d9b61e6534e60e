import type { NodeContext } from "../graph/types.js";
import { McpUnavailableError, ToolError } from "./errors.js";
import type { CallToolOptions, ToolInvoker } from "./types.js";

/** What a tool call needs from the node (or compensation) context: its signal and idempotency key. */
export type ToolCallContext = Partial<Pick<NodeContext, "signal" | "idempotencyKey">>;

/** Per-call options a node may add; the signal and key come from the context. */
export interface NodeToolCallOptions {
  timeoutMs?: number;
  /** Aborts together with the context's signal. */
  signal?: AbortSignal;
  /** Replaces the context's key (a node that makes several distinct calls of the same tool). */
  idempotencyKey?: string;
  meta?: Record<string, unknown>;
}

/** A tool result or the reason there is none, for workflows that record failures instead of throwing. */
export type ToolOutcome<T> = { ok: true; value: T } | { ok: false; error: ToolError | McpUnavailableError };

export interface NodeTools {
  /**
   * Calls a tool from a node: aborted with the node (timeout, cancellation) and cancelled on the server,
   * carrying the node's idempotency key in the request `_meta`.
   */
  call<T = unknown>(
    ctx: ToolCallContext,
    server: string,
    tool: string,
    args?: Record<string, unknown>,
    options?: NodeToolCallOptions,
  ): Promise<T>;
  /** Like `call`, but a tool error or an unavailable server is returned, not thrown (aborts still throw). */
  tryCall<T = unknown>(
    ctx: ToolCallContext,
    server: string,
    tool: string,
    args?: Record<string, unknown>,
    options?: NodeToolCallOptions,
  ): Promise<ToolOutcome<T>>;
}

/** Calls a tool on behalf of a workflow node. */
export function callTool<T = unknown>(
  invoker: ToolInvoker,
  ctx: ToolCallContext,
  server: string,
  tool: string,
  args: Record<string, unknown> = {},
  options: NodeToolCallOptions = {},
): Promise<T> {
  return invoker.callTool<T>(server, tool, args, callOptions(ctx, options));
}

/**
 * Tool calls bound to an invoker (usually an `McpManager`).
 *
 * @example
 * const tools = mcpTools(manager);
 * graph.addNode("weather", async (state, ctx) => ({
 *   weather: await tools.call(ctx, "weather", "get_current_weather", { city: state.city }),
 * }));
 */
export function mcpTools(invoker: ToolInvoker): NodeTools {
  return {
    call: (ctx, server, tool, args, options) => callTool(invoker, ctx, server, tool, args, options),
    async tryCall<T>(
      ctx: ToolCallContext,
      server: string,
      tool: string,
      args?: Record<string, unknown>,
      options?: NodeToolCallOptions,
    ): Promise<ToolOutcome<T>> {
      try {
        return { ok: true, value: await callTool<T>(invoker, ctx, server, tool, args, options) };
      } catch (error) {
        if (isToolFailure(error)) return { ok: false, error };
        throw error;
      }
    },
  };
}

function isToolFailure(error: unknown): error is ToolError | McpUnavailableError {
  return error instanceof ToolError || error instanceof McpUnavailableError;
}

function callOptions(ctx: ToolCallContext, options: NodeToolCallOptions): CallToolOptions {
  const signals = [ctx.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const idempotencyKey = options.idempotencyKey ?? ctx.idempotencyKey;
  return {
    ...(signal === undefined ? {} : { signal }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.meta === undefined ? {} : { meta: options.meta }),
  };
}
