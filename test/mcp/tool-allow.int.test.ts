import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILESYSTEM_READ_TOOLS } from "../../src/mcp/bundled.js";
import {
  bundledServers,
  DEFAULT_SERVER_SETTINGS,
  McpManager,
  parseMcpConfig,
  type ServerStartResult,
  type StdioServerConfig,
  ToolError,
} from "../../src/mcp/index.js";
import { fixtureArgs, PidTracker, readTrace, tempDir } from "./helpers.js";

const pids = new PidTracker();
const dir = tempDir("tool-allow");
const traceFile = `${dir.path}/trace.jsonl`;
let mcp: McpManager;
let started: ServerStartResult[];

beforeAll(async () => {
  const limited: StdioServerConfig = {
    transport: "stdio",
    command: process.execPath,
    args: fixtureArgs("test-server.ts"),
    env: { BATON_MCP_TRACE_FILE: traceFile },
    ...structuredClone(DEFAULT_SERVER_SETTINGS),
    tools: { allow: ["echo"] },
  };
  mcp = new McpManager(
    { source: "test", servers: { limited } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  started = await mcp.start();
});

afterAll(async () => {
  await mcp.close();
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

describe("tools.allow", () => {
  it("lists only the allowed tools, at start and in listTools", async () => {
    expect(started[0]?.tools?.map((t) => t.name)).toEqual(["echo"]);
    expect((await mcp.listTools("limited")).map((t) => t.name)).toEqual(["echo"]);
  });

  it("refuses a call to any other tool with a ToolError, without sending it", async () => {
    await expect(mcp.callTool("limited", "echo", { text: "hi" })).resolves.toMatchObject({ text: "hi" });
    const error = await mcp.callTool("limited", "exit", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ server: "limited", tool: "exit" });
    expect((error as Error).message).toBe(
      `Tool "exit" on MCP server "limited" failed: not allowed by this server's configuration (tools.allow: echo)`,
    );
    expect(readTrace(traceFile).map((e) => e.tool)).toEqual(["echo"]);
    expect(mcp.status()[0]).toMatchObject({ state: "ready", restarts: 0 }); // `exit` never ran
  });
});

describe("the bundled filesystem server's default", () => {
  it("is read-only on the sample data; a folder the user configures gets every tool", () => {
    const samples = bundledServers().servers.filesystem;
    expect(samples?.tools?.allow).toEqual([...FILESYSTEM_READ_TOOLS]);
    expect(FILESYSTEM_READ_TOOLS).not.toContain("write_file");
    expect(bundledServers({ allowedDirectories: [dir.path] }).servers.filesystem?.tools).toBeUndefined();
  });

  it('stays read-only as a `"bundled": "filesystem"` entry of baton.config.json, extra folders included', () => {
    const config = parseMcpConfig({ mcpServers: { files: { bundled: "filesystem", args: [dir.path] } } });
    expect(config.servers.files?.tools?.allow).toEqual([...FILESYSTEM_READ_TOOLS]);
  });
});
