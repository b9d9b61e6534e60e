import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { bundledServers, type StdioServerConfig } from "../../src/mcp/index.js";
import { MAX_STRING_LENGTH } from "../../src/servers/shared/limits.js";
import { PidTracker, tempDir, waitFor } from "../mcp/helpers.js";

const pids = new PidTracker();
const dir = tempDir("tool-lists");

afterAll(() => {
  dir.remove();
  expect(pids.pids.size).toBe(3);
  expect(pids.alive()).toEqual([]);
});

const EXPECTED: Record<string, string[]> = {
  weather: ["get_current_weather", "get_weather_forecast"],
  database: ["query", "insert", "update", "delete", "list_tables", "describe"],
  filesystem: [
    "read_file",
    "read_text_file",
    "read_media_file",
    "read_multiple_files",
    "write_file",
    "edit_file",
    "create_directory",
    "list_directory",
    "list_directory_with_sizes",
    "directory_tree",
    "move_file",
    "search_files",
    "get_file_info",
    "list_allowed_directories",
  ],
};

/**
 * Every object in a listed input schema that declares properties refuses others, and every string has a
 * length limit (column names, the keys of `where`/`data`, are checked against the schema instead): what a
 * client sees in tools/list is what the server enforces.
 */
function looseParts(schema: unknown, path = "input"): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => looseParts(s, `${path}[${i}]`));
  if (schema === null || typeof schema !== "object") return [];
  const node = schema as Record<string, unknown>;
  const own: string[] = [];
  if (node.properties !== undefined && node.additionalProperties !== false) own.push(`${path}: not strict`);
  const bounded = node.enum !== undefined || (node.maxLength as number) <= MAX_STRING_LENGTH;
  if (node.type === "string" && !bounded && !path.endsWith(".propertyNames"))
    own.push(`${path}: string without maxLength`);
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) =>
      key === "default" ? [] : looseParts(value, `${path}.${key}`),
    ),
  ];
}

// Plain SDK clients, not McpManager: the servers must speak standard MCP to anyone.
describe.each(Object.keys(EXPECTED))("the bundled %s server, seen by an independent SDK client", (name) => {
  it("lists its tools with input and output schemas", async () => {
    const config = bundledServers({ databasePath: `${dir.path}/db.sqlite` }).servers[
      name
    ] as StdioServerConfig;
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: config.env,
      cwd: config.cwd as string,
      stderr: "ignore",
    });
    const client = new Client({ name: "independent-client", version: "1.0.0" });
    await client.connect(transport);
    const pid = transport.pid as number;
    pids.add(pid);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(EXPECTED[name]);
      for (const tool of tools) {
        expect(tool.inputSchema.type).toBe("object");
        expect(tool.outputSchema?.type, tool.name).toBe("object");
        expect(tool.description, tool.name).toBeTruthy();
        // Ours are strict; the official filesystem server's schemas are its own.
        if (name !== "filesystem") {
          expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
          expect(looseParts(tool.inputSchema), tool.name).toEqual([]);
        }
      }
      expect(client.getServerVersion()?.name).toMatch(name === "filesystem" ? /filesystem/ : `baton-${name}`);
    } finally {
      await client.close();
    }
    await waitFor(() => !pids.alive().includes(pid), 3000, `${name} exit`);
  });
});
