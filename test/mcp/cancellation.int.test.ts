import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundledServers,
  McpManager,
  McpTimeoutError,
  mcpTools,
  type StdioServerConfig,
} from "../../src/mcp/index.js";
import { PidTracker, readTrace, tempDir, waitFor } from "./helpers.js";

const pids = new PidTracker();
const dir = tempDir("cancel");
const traceFile = `${dir.path}/trace.jsonl`;
let mcp: McpManager;

beforeAll(async () => {
  // The weather server answers after 1 s: long enough to time out, short enough to wait for.
  const { servers } = bundledServers({
    env: { BATON_WEATHER_DELAY_MS: "1000", BATON_MCP_TRACE_FILE: traceFile },
  });
  const weather = { ...(servers.weather as StdioServerConfig), retry: { attempts: 1, delayMs: 0 } };
  mcp = new McpManager(
    { source: "test", servers: { weather } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  const [started] = await mcp.start();
  expect(started?.ok).toBe(true);
});

afterAll(async () => {
  await mcp.close();
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

function traceFor(city: string) {
  const events = readTrace(traceFile);
  const call = events.find((e) => e.event === "call" && e.args?.city === city);
  const cancelled = events.find((e) => e.event === "cancelled" && e.requestId === call?.requestId);
  return { call, cancelled };
}

describe("per-call timeout and cancellation", () => {
  it("a timed-out call rejects with McpTimeoutError and the server receives notifications/cancelled", async () => {
    const started = Date.now();
    const error = await mcp
      .callTool("weather", "get_current_weather", { city: "Tokyo" }, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(error).toBeInstanceOf(McpTimeoutError);
    expect(error).toMatchObject({
      code: "MCP_UNAVAILABLE",
      reason: "timeout",
      server: "weather",
      timeoutMs: 300,
    });
    const { cancelled } = await waitFor(
      () => (traceFor("Tokyo").cancelled ? traceFor("Tokyo") : undefined),
      3000,
      "cancel",
    );
    // The reason travels in the notification; a closed connection would abort without one.
    expect(cancelled?.reason).toMatch(/timed out after 300 ms/);
    expect(cancelled?.pid).toBe(mcp.status()[0]?.pid);
  });

  it("aborting through the caller's signal rejects with its reason and cancels on the server", async () => {
    const controller = new AbortController();
    const reason = new Error("node cancelled by the run");
    setTimeout(() => controller.abort(reason), 200);
    await expect(
      mcp.callTool("weather", "get_current_weather", { city: "Sydney" }, { signal: controller.signal }),
    ).rejects.toBe(reason);
    const { cancelled } = await waitFor(
      () => (traceFor("Sydney").cancelled ? traceFor("Sydney") : undefined),
      3000,
      "cancel",
    );
    expect(cancelled?.reason).toMatch(/node cancelled by the run/);
    // A caller's abort says nothing about the server's health.
    expect(mcp.status()[0]?.circuit).toBe("closed");
  });

  it("a call within its time succeeds on the same server, which is still running", async () => {
    const pid = mcp.status()[0]?.pid;
    await expect(mcp.callTool("weather", "get_current_weather", { city: "London" })).resolves.toMatchObject({
      city: "London",
      temperature: 15,
    });
    expect(mcp.status()[0]?.pid).toBe(pid);
  });

  it("the node helper passes the node's signal and its idempotency key in _meta", async () => {
    const tools = mcpTools(mcp);
    const node = new AbortController();
    const ctx = { signal: node.signal, idempotencyKey: "run-7:lookup:3" };
    const call = tools.call(ctx, "weather", "get_weather_forecast", { city: "Paris", days: 2 });
    const { call: seen } = await waitFor(
      () => (traceFor("Paris").call ? traceFor("Paris") : undefined),
      3000,
      "call",
    );
    expect(seen?.idempotencyKey).toBe("run-7:lookup:3");
    node.abort(new Error("node timed out"));
    await expect(call).rejects.toThrow("node timed out");
    await waitFor(() => traceFor("Paris").cancelled, 3000, "cancel");
  });
});
