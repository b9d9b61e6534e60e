import { describe, expect, it } from "vitest";
import {
  type CallToolOptions,
  callTool,
  McpUnavailableError,
  mcpTools,
  ToolError,
  type ToolInvoker,
} from "../../src/mcp/index.js";

class FakeInvoker implements ToolInvoker {
  calls: Array<{ server: string; tool: string; args?: Record<string, unknown>; options?: CallToolOptions }> =
    [];
  constructor(private readonly answer: (tool: string) => unknown = () => ({ ok: true })) {}
  async callTool<T>(
    server: string,
    tool: string,
    args?: Record<string, unknown>,
    options?: CallToolOptions,
  ): Promise<T> {
    this.calls.push({ server, tool, args, options });
    const value = this.answer(tool);
    if (value instanceof Error) throw value;
    return value as T;
  }
}

const ctx = (signal = new AbortController().signal) => ({
  signal,
  idempotencyKey: "run-1:weather:2",
  runId: "run-1",
});

describe("node helper", () => {
  it("passes the node's signal and idempotency key", async () => {
    const invoker = new FakeInvoker();
    const controller = new AbortController();
    const tools = mcpTools(invoker);
    await tools.call(
      ctx(controller.signal),
      "weather",
      "get_current_weather",
      { city: "Paris" },
      { timeoutMs: 5000 },
    );
    expect(invoker.calls[0]).toMatchObject({
      server: "weather",
      tool: "get_current_weather",
      args: { city: "Paris" },
      options: { signal: controller.signal, idempotencyKey: "run-1:weather:2", timeoutMs: 5000 },
    });
  });

  it("combines the node's signal with a per-call signal", async () => {
    const invoker = new FakeInvoker();
    const node = new AbortController();
    const extra = new AbortController();
    await callTool(
      invoker,
      ctx(node.signal),
      "s",
      "t",
      {},
      { signal: extra.signal, idempotencyKey: "custom" },
    );
    const signal = invoker.calls[0]?.options?.signal as AbortSignal;
    expect(invoker.calls[0]?.options?.idempotencyKey).toBe("custom");
    expect(signal.aborted).toBe(false);
    node.abort(new Error("node timed out"));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("node timed out");
  });

  it("tryCall returns tool errors and unavailable servers instead of throwing", async () => {
    const tools = mcpTools(
      new FakeInvoker((tool) =>
        tool === "bad"
          ? new ToolError("s", "bad", "nope")
          : tool === "down"
            ? new McpUnavailableError("s", "start_failed", "down")
            : tool === "abort"
              ? new DOMException("aborted", "AbortError")
              : 7,
      ),
    );
    expect(await tools.tryCall(ctx(), "s", "good")).toEqual({ ok: true, value: 7 });
    expect(await tools.tryCall(ctx(), "s", "bad")).toMatchObject({
      ok: false,
      error: { code: "TOOL_ERROR" },
    });
    expect(await tools.tryCall(ctx(), "s", "down")).toMatchObject({
      ok: false,
      error: { code: "MCP_UNAVAILABLE" },
    });
    await expect(tools.tryCall(ctx(), "s", "abort")).rejects.toThrow("aborted");
  });
});
