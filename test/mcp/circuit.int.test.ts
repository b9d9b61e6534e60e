import { afterAll, describe, expect, it } from "vitest";
import {
  CircuitOpenError,
  type McpEvent,
  McpManager,
  McpTimeoutError,
  McpUnavailableError,
  parseMcpConfig,
} from "../../src/mcp/index.js";
import { fixtureArgs, PidTracker, readTrace, tempDir } from "./helpers.js";

const pids = new PidTracker();
const managers: McpManager[] = [];
const dir = tempDir("circuit");
const traceFile = `${dir.path}/trace.jsonl`;

function manager(entry: Record<string, unknown>, events: McpEvent[] = []): McpManager {
  const config = parseMcpConfig({
    mcpServers: {
      test: {
        retry: { attempts: 1 },
        circuit: { failureThreshold: 2, resetAfterMs: 400, successThreshold: 2 },
        ...entry,
      },
    },
  });
  const m = new McpManager(config, {
    healthIntervalMs: 0,
    onEvent: (e) => {
      if (e.type === "server_started") pids.add(e.pid);
      if (e.type !== "stderr") events.push(e);
    },
  });
  managers.push(m);
  return m;
}

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const circuit = (m: McpManager) => m.status()[0]?.circuit;

describe("circuit breaker against a real server", () => {
  it("opens after repeated timeouts, fails fast, then recovers through half-open", async () => {
    const events: McpEvent[] = [];
    const m = manager(
      {
        command: process.execPath,
        args: fixtureArgs("test-server.ts"),
        env: { BATON_MCP_TRACE_FILE: traceFile },
      },
      events,
    );
    await m.start();
    for (let i = 0; i < 2; i++) {
      await expect(m.callTool("test", "sleep", { ms: 5000 }, { timeoutMs: 150 })).rejects.toBeInstanceOf(
        McpTimeoutError,
      );
    }
    expect(circuit(m)).toBe("open");

    const started = Date.now();
    const error = await m.callTool("test", "echo", { text: "refused" }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(50);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({
      code: "MCP_UNAVAILABLE",
      reason: "circuit_open",
      server: "test",
      tool: "echo",
    });
    expect(readTrace(traceFile).some((e) => e.args?.text === "refused")).toBe(false);

    await sleep(450);
    expect(circuit(m)).toBe("half-open");
    await expect(m.callTool("test", "echo", { text: "trial 1" })).resolves.toMatchObject({ text: "trial 1" });
    expect(circuit(m)).toBe("half-open");
    await expect(m.callTool("test", "echo", { text: "trial 2" })).resolves.toMatchObject({ text: "trial 2" });
    expect(circuit(m)).toBe("closed");
    const transitions = events.filter((e) => e.type === "circuit_changed").map((e) => `${e.from}->${e.to}`);
    expect(transitions).toEqual(["closed->open", "open->half-open", "half-open->closed"]);
  });

  it("a failed trial call opens the circuit again", async () => {
    const m = manager({ command: process.execPath, args: fixtureArgs("test-server.ts") });
    for (let i = 0; i < 2; i++)
      await m.callTool("test", "sleep", { ms: 5000 }, { timeoutMs: 100 }).catch(() => {});
    expect(circuit(m)).toBe("open");
    await sleep(450);
    await expect(m.callTool("test", "sleep", { ms: 5000 }, { timeoutMs: 100 })).rejects.toBeInstanceOf(
      McpTimeoutError,
    );
    expect(circuit(m)).toBe("open");
    await expect(m.callTool("test", "echo", { text: "x" })).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it("a tool's own error does not count against the server", async () => {
    const m = manager({ command: process.execPath, args: fixtureArgs("test-server.ts") });
    for (let i = 0; i < 4; i++) {
      await expect(m.callTool("test", "no_such_tool")).rejects.toMatchObject({ code: "TOOL_ERROR" });
    }
    expect(circuit(m)).toBe("closed");
  });

  it("a server that cannot start stops being spawned once its circuit is open", async () => {
    const events: McpEvent[] = [];
    const m = manager(
      { command: process.execPath, args: ["-e", "console.error('boom: missing API key'); process.exit(2)"] },
      events,
    );
    const [result] = await m.start();
    expect(result).toMatchObject({ name: "test", ok: false });
    expect(result?.error).toBeInstanceOf(McpUnavailableError);
    expect(result?.error?.message).toMatch(/did not start.*\n.*boom: missing API key/s);
    for (let i = 0; i < 2; i++)
      await expect(m.callTool("test", "echo")).rejects.toMatchObject({ reason: "start_failed" });
    await expect(m.callTool("test", "echo")).rejects.toBeInstanceOf(CircuitOpenError);
    expect(events.filter((e) => e.type === "server_start_failed")).toHaveLength(3);
  });
});
