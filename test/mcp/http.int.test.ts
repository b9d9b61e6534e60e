import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpManager, McpTimeoutError, parseMcpConfig } from "../../src/mcp/index.js";
import { createWeatherServer } from "../../src/servers/weather/server.js";
import { readTrace, tempDir, waitFor } from "./helpers.js";

const TOKEN = "test-token";
const dir = tempDir("http");
const traceFile = `${dir.path}/trace.jsonl`;
const sessions = new Map<string, StreamableHTTPServerTransport>();
let http: Server;
let mcp: McpManager;
const previousTrace = process.env.BATON_MCP_TRACE_FILE;

/** The weather server over Streamable HTTP, one MCP session per client, behind a bearer token. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401).end("unauthorized");
    return;
  }
  const sessionId = req.headers["mcp-session-id"];
  let transport = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
  if (transport === undefined) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport as StreamableHTTPServerTransport);
      },
    });
    const delayMs = req.url?.startsWith("/slow") ? 2000 : 0;
    await createWeatherServer({ delayMs }).connect(transport);
  }
  await transport.handleRequest(req, res);
}

beforeAll(async () => {
  process.env.BATON_MCP_TRACE_FILE = traceFile;
  http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const config = parseMcpConfig(
    {
      mcpServers: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own variable syntax.
        weather: { type: "http", url: `${base}/mcp`, headers: { Authorization: "Bearer ${WEATHER_TOKEN}" } },
        slow: { url: `${base}/slow`, headers: { Authorization: `Bearer ${TOKEN}` }, retry: { attempts: 1 } },
        locked: { url: `${base}/mcp`, retry: { attempts: 1 } },
      },
    },
    { env: { WEATHER_TOKEN: TOKEN } },
  );
  mcp = new McpManager(config, { healthIntervalMs: 0 });
});

afterAll(async () => {
  await mcp.close();
  for (const transport of sessions.values()) await transport.close();
  await new Promise((resolve) => http.close(resolve));
  if (previousTrace === undefined) delete process.env.BATON_MCP_TRACE_FILE;
  else process.env.BATON_MCP_TRACE_FILE = previousTrace;
  dir.remove();
});

describe("Streamable HTTP transport", () => {
  it("connects with the configured headers; a server that refuses them does not start", async () => {
    const results = await mcp.start();
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ["weather", true],
      ["slow", true],
      ["locked", false],
    ]);
    expect(results[0]?.tools?.map((t) => t.name)).toEqual(["get_current_weather", "get_weather_forecast"]);
    expect(results[2]?.error?.message).toMatch(/did not start/);
    expect(mcp.status()[0]).toMatchObject({ transport: "http", state: "ready", pid: null });
  });

  it("calls tools and decodes structured results", async () => {
    await expect(mcp.callTool("weather", "get_current_weather", { city: "TOKYO" })).resolves.toMatchObject({
      city: "Tokyo",
      temperature: 18,
      condition: "rainy",
      humidity: 85,
    });
    await expect(mcp.callTool("weather", "get_current_weather", { city: "Gotham" })).rejects.toMatchObject({
      code: "TOOL_ERROR",
      server: "weather",
    });
  });

  it("times out and cancels over HTTP too", async () => {
    await expect(
      mcp.callTool("slow", "get_current_weather", { city: "Lisbon" }, { timeoutMs: 200 }),
    ).rejects.toBeInstanceOf(McpTimeoutError);
    const cancelled = await waitFor(
      () => {
        const events = readTrace(traceFile);
        const call = events.find((e) => e.event === "call" && e.args?.city === "Lisbon");
        return events.find((e) => e.event === "cancelled" && e.requestId === call?.requestId);
      },
      3000,
      "cancellation",
    );
    expect(cancelled.reason).toMatch(/timed out after 200 ms/);
  });

  it("health checks ping over HTTP", async () => {
    const health = await mcp.checkHealth();
    expect(health.slice(0, 2)).toEqual([
      { name: "weather", healthy: true, restarted: false },
      { name: "slow", healthy: true, restarted: false },
    ]);
  });
});
