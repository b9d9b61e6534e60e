import { afterAll, describe, expect, it } from "vitest";
import { type McpEvent, McpManager, McpUnavailableError, parseMcpConfig } from "../../src/mcp/index.js";
import { fixtureArgs, isAlive, PidTracker, waitFor } from "./helpers.js";

const pids = new PidTracker();
const managers: McpManager[] = [];

function manager(retryAttempts: number, healthIntervalMs = 0, events: McpEvent[] = []): McpManager {
  const config = parseMcpConfig({
    mcpServers: {
      test: {
        command: process.execPath,
        args: fixtureArgs("test-server.ts"),
        retry: { attempts: retryAttempts, delayMs: 50 },
      },
    },
  });
  const m = new McpManager(config, {
    healthIntervalMs,
    onEvent: (e) => {
      if (e.type === "server_started") pids.add(e.pid);
      if (e.type !== "stderr") events.push(e);
    },
  });
  managers.push(m);
  return m;
}

function pidOf(m: McpManager): number {
  const pid = m.status()[0]?.pid;
  if (pid === null || pid === undefined) throw new Error("server not running");
  pids.add(pid);
  return pid;
}

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  expect(pids.pids.size).toBeGreaterThan(0);
  expect(pids.alive()).toEqual([]);
});

describe("a server that dies", () => {
  it("killed mid-call: the call fails with a typed error, the next call restarts it and succeeds", async () => {
    const m = manager(1);
    await m.start();
    const first = pidOf(m);
    const call = m.callTool("test", "sleep", { ms: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(first, "SIGKILL");
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpUnavailableError);
    expect(error).toMatchObject({
      code: "MCP_UNAVAILABLE",
      reason: "connection_closed",
      server: "test",
      tool: "sleep",
    });
    await waitFor(() => m.status()[0]?.state === "dead", 2000, "state dead");

    const answer = await m.callTool<{ text: string; pid: number }>("test", "echo", { text: "back" });
    expect(answer.text).toBe("back");
    expect(answer.pid).not.toBe(first);
    expect(pidOf(m)).toBe(answer.pid);
    expect(m.status()[0]).toMatchObject({ state: "ready", restarts: 1 });
  });

  it("exiting by itself mid-call is the same typed error", async () => {
    const m = manager(1);
    await expect(m.callTool("test", "exit")).rejects.toMatchObject({ reason: "connection_closed" });
    pids.add(m.status()[0]?.pid);
    await expect(m.callTool("test", "echo", { text: "ok" })).resolves.toMatchObject({ text: "ok" });
    pidOf(m);
  });

  it("with retries configured, a call interrupted by a crash is retried on a restarted server", async () => {
    const events: McpEvent[] = [];
    const m = manager(3, 0, events);
    await m.start();
    const first = pidOf(m);
    const call = m.callTool<{ slept: number }>("test", "sleep", { ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(first, "SIGKILL");
    await expect(call).resolves.toEqual({ slept: 300 });
    expect(pidOf(m)).not.toBe(first);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["server_started", "server_exited", "call_retrying"]),
    );
  });

  it("the health monitor restarts a dead server without any call", async () => {
    const events: McpEvent[] = [];
    const m = manager(1, 100, events);
    await m.start();
    const first = pidOf(m);
    process.kill(first, "SIGKILL");
    const second = await waitFor(
      () => {
        const s = m.status()[0];
        return s?.state === "ready" && s.pid !== first ? s.pid : undefined;
      },
      5000,
      "restart by the health monitor",
    );
    pids.add(second);
    expect(m.status()[0]).toMatchObject({ healthy: true, restarts: 1 });
    const health = await m.checkHealth();
    expect(health).toEqual([{ name: "test", healthy: true, restarted: false }]);
  });

  it("close() does not leave behind a server that ignores stdin end and SIGTERM", async () => {
    const config = parseMcpConfig({
      mcpServers: { stubborn: { command: process.execPath, args: fixtureArgs("stubborn-server.ts") } },
    });
    const m = new McpManager(config, { healthIntervalMs: 0 });
    managers.push(m);
    await m.start();
    const pid = pidOf(m);
    await m.close();
    expect(isAlive(pid)).toBe(false);
  });

  it("close() stops every child process", async () => {
    const m = manager(1);
    await m.start();
    const pid = pidOf(m);
    await m.close();
    expect(m.status()[0]).toMatchObject({ state: "closed", pid: null });
    await waitFor(() => !pids.alive().includes(pid), 3000, "child exit");
    await expect(m.callTool("test", "echo", { text: "x" })).rejects.toMatchObject({ reason: "closed" });
  });
});
