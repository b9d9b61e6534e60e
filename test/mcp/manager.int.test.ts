import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundledServers,
  McpManager,
  McpUnavailableError,
  parseMcpConfig,
  type ServerStartResult,
} from "../../src/mcp/index.js";
import { PidTracker, tempDir } from "./helpers.js";

const pids = new PidTracker();
const dir = tempDir("manager");
let mcp: McpManager;
let results: ServerStartResult[];

beforeAll(async () => {
  const bundled = bundledServers({ databasePath: `${dir.path}/db.sqlite` });
  const broken = parseMcpConfig({
    mcpServers: {
      missing: { command: "/nonexistent/mcp-server", startTimeoutMs: 5000 },
      crashing: { command: process.execPath, args: ["-e", "console.error('cannot bind'); process.exit(1)"] },
    },
  });
  mcp = new McpManager(
    { source: "test", servers: { ...bundled.servers, ...broken.servers } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  results = await mcp.start();
});

afterAll(async () => {
  await mcp.close();
  dir.remove();
  expect(pids.pids.size).toBe(3);
  expect(pids.alive()).toEqual([]);
});

describe("McpManager.start", () => {
  it("starts every server; the ones that fail do not stop the others, and say why", () => {
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(results.map((r) => r.name)).toEqual(["weather", "database", "filesystem", "missing", "crashing"]);
    for (const name of ["weather", "database", "filesystem"]) {
      expect(byName[name]).toMatchObject({ ok: true });
      expect(byName[name]?.tools?.length).toBeGreaterThan(1);
    }
    expect(byName.missing?.ok).toBe(false);
    expect(byName.missing?.error).toBeInstanceOf(McpUnavailableError);
    expect(byName.missing?.error?.message).toMatch(/MCP server "missing" did not start: .*ENOENT/);
    expect(byName.crashing?.error?.message).toMatch(/did not start[\s\S]*cannot bind/);
  });

  it("reports status per server with the pid of each running child", () => {
    const status = mcp.status();
    for (const s of status.slice(0, 3)) {
      expect(s).toMatchObject({
        transport: "stdio",
        state: "ready",
        circuit: "closed",
        healthy: true,
        restarts: 0,
      });
      expect(s.pid).toBeGreaterThan(0);
    }
    expect(status[3]).toMatchObject({ name: "missing", state: "dead", pid: null, healthy: false });
  });

  it("lists tools per server, with their schemas", async () => {
    const tools = await mcp.listTools("weather");
    expect(tools.map((t) => t.name)).toEqual(["get_current_weather", "get_weather_forecast"]);
    expect(tools[0]).toMatchObject({
      server: "weather",
      inputSchema: { type: "object" },
      outputSchema: { type: "object" },
    });
    await expect(mcp.listTools()).rejects.toBeInstanceOf(McpUnavailableError);
  });

  it("calls tools on several servers at once", async () => {
    const [weather, customer, files] = await Promise.all([
      mcp.callTool("weather", "get_current_weather", { city: "new york" }),
      mcp.callTool("database", "query", { table: "customers", where: { id: 1 }, columns: ["name", "tier"] }),
      mcp.callTool("filesystem", "list_allowed_directories"),
    ]);
    expect(weather).toMatchObject({ city: "New York", temperature: 22, condition: "sunny", humidity: 60 });
    expect(customer).toMatchObject({ rows: [{ name: "Alice Johnson", tier: "premium" }] });
    expect(files).toMatchObject({ content: expect.stringContaining("sample-data") });
  });

  it("health checks ping the running servers and report the others", async () => {
    const health = await mcp.checkHealth();
    expect(health.slice(0, 3).every((h) => h.healthy && !h.restarted)).toBe(true);
    expect(health[3]).toMatchObject({ name: "missing", healthy: false, restarted: true });
  });

  it("an unknown server is a typed error naming the configured ones", async () => {
    await expect(mcp.callTool("nope", "x")).rejects.toMatchObject({
      code: "MCP_UNAVAILABLE",
      reason: "unknown_server",
      message: expect.stringContaining("configured: weather, database, filesystem, missing, crashing"),
    });
  });
});
