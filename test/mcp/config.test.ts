import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  bundledServers,
  DEFAULT_SERVER_SETTINGS,
  loadMcpConfig,
  McpConfigError,
  parseMcpConfig,
  SAMPLE_DATA_DIR,
  type StdioServerConfig,
} from "../../src/mcp/index.js";
import { tempDir } from "./helpers.js";

function issuesOf(input: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseMcpConfig(input, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(McpConfigError);
    expect((error as McpConfigError).code).toBe("CONFIG_INVALID");
    return (error as McpConfigError).issues;
  }
  throw new Error("expected a config error");
}

describe("parseMcpConfig", () => {
  it("reads stdio and Streamable HTTP servers and fills in defaults", () => {
    const config = parseMcpConfig(
      {
        mcpServers: {
          weather: { command: "node", args: ["weather.js"], env: { A: "1" }, timeoutMs: 5000 },
          remote: {
            type: "http",
            url: "https://mcp.example.com/mcp",
            headers: { Authorization: "Bearer x" },
          },
        },
        $schema: "https://example.com/mcp-config.schema.json",
      },
      { baseDir: "/base" },
    );
    expect(config.servers.weather).toEqual({
      transport: "stdio",
      command: "node",
      args: ["weather.js"],
      env: { A: "1" },
      ...DEFAULT_SERVER_SETTINGS,
      timeoutMs: 5000,
    });
    expect(config.servers.remote).toMatchObject({
      transport: "http",
      url: "https://mcp.example.com/mcp",
      headers: { Authorization: "Bearer x" },
      retry: { attempts: 3, delayMs: 250 },
      circuit: { failureThreshold: 5, resetAfterMs: 60_000, successThreshold: 3 },
    });
  });

  it("reads a tool allow-list, for a bundled server and one of your own, and refuses a bad one", () => {
    const config = parseMcpConfig({
      mcpServers: {
        files: { bundled: "filesystem", tools: { allow: ["read_text_file", "write_file"] } },
        mine: { command: "node", args: ["server.js"], tools: { allow: ["ping"] } },
      },
    });
    expect(config.servers.files!.tools).toEqual({ allow: ["read_text_file", "write_file"] });
    expect(config.servers.mine!.tools).toEqual({ allow: ["ping"] });
    expect(() =>
      parseMcpConfig({ mcpServers: { mine: { command: "node", tools: { deny: ["x"] } } } }),
    ).toThrow(/mcpServers\.mine\.tools/);
  });

  it("merges partial retry and circuit settings and resolves cwd against the config folder", () => {
    const config = parseMcpConfig(
      {
        mcpServers: {
          db: { command: "db", cwd: "servers", retry: { attempts: 1 }, circuit: { failureThreshold: 2 } },
        },
      },
      { baseDir: "/project" },
    );
    expect(config.servers.db).toMatchObject({
      cwd: "/project/servers",
      retry: { attempts: 1, delayMs: 250 },
      circuit: { failureThreshold: 2, resetAfterMs: 60_000, successThreshold: 3 },
    });
  });

  it("names the server and the field of every problem", () => {
    const issues = issuesOf({
      mcpServers: {
        weather: { command: 42, args: ["ok", 7], timeoutMs: -1, timeout: 30 },
        files: { url: "ftp://x", retry: { attempts: 0 } },
      },
    });
    expect(issues).toContain("mcpServers.weather.command: expected string, received number");
    expect(issues).toContain("mcpServers.weather.args[1]: expected string, received number");
    expect(issues.some((i) => i.startsWith("mcpServers.weather.timeoutMs: "))).toBe(true);
    expect(issues).toContain('mcpServers.weather.timeout: unknown field (did you mean "timeoutMs"?)');
    expect(issues.some((i) => i.startsWith("mcpServers.files.retry.attempts: "))).toBe(true);
  });

  it("requires exactly one of command, url and bundled, and a matching type", () => {
    expect(issuesOf({ mcpServers: { a: {} } })).toEqual([
      'mcpServers.a: expected "command" (stdio), "url" (Streamable HTTP) or "bundled"',
    ]);
    expect(issuesOf({ mcpServers: { b: { command: "x", url: "http://h" } } })).toEqual([
      'mcpServers.b: give only one of "command", "url" and "bundled"',
    ]);
    expect(issuesOf({ mcpServers: { c: { type: "stdio", url: "http://h/mcp" } } })).toEqual([
      'mcpServers.c.type: "stdio" does not match "url"',
    ]);
    expect(issuesOf({ mcpServers: { d: { url: "not a url" } } })).toEqual([
      'mcpServers.d.url: expected an http(s) URL, got "not a url"',
    ]);
    expect(issuesOf({ mcpServers: { e: { url: "http://h/mcp", args: ["x"] } } })).toEqual([
      'mcpServers.e: "args", "env" and "cwd" apply to stdio servers only',
    ]);
  });

  it("names a missing mcpServers and every other top-level key, with a did-you-mean", () => {
    expect(issuesOf({})).toEqual([
      'no "mcpServers" key: list the servers as "mcpServers": { "name": { "command": "..." } } (without a config file, the bundled servers are used)',
    ]);
    for (const key of ["servers", "mcpserver", "mcp_servers", "MCPServers", "mcpServres", "mcp"])
      expect(issuesOf({ [key]: { w: { command: "x" } } })).toEqual([
        `${key}: unknown top-level key (did you mean "mcpServers"?)`,
      ]);
    expect(issuesOf({ mcpServers: {}, store: { kind: "sqlite" }, version: 2 })).toEqual([
      'store: unknown top-level key; the servers go under "mcpServers"',
      'version: unknown top-level key; the servers go under "mcpServers"',
    ]);
    expect(issuesOf({ store: 1 })).toEqual([
      'store: unknown top-level key; the servers go under "mcpServers"',
      'no "mcpServers" key: list the servers as "mcpServers": { "name": { "command": "..." } } (without a config file, the bundled servers are used)',
    ]);
    expect(issuesOf([])).toEqual([
      '(root): expected an object like { "mcpServers": { "name": { "command": "..." } } }',
    ]);
    expect(parseMcpConfig({ mcpServers: {} }).servers).toEqual({});
  });

  it("rejects a non-object mcpServers", () => {
    expect(issuesOf({ mcpServers: [] })[0]).toMatch(/^mcpServers: expected record/);
  });

  it("expands environment variables, with defaults, and names a missing one", () => {
    const config = parseMcpConfig(
      {
        mcpServers: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own variable syntax.
          r: { url: "${HOST:-http://localhost:9}/mcp", headers: { Authorization: "Bearer ${TOKEN}" } },
        },
      },
      { env: { TOKEN: "s3cret" } },
    );
    expect(config.servers.r).toMatchObject({
      url: "http://localhost:9/mcp",
      headers: { Authorization: "Bearer s3cret" },
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own variable syntax.
    expect(issuesOf({ mcpServers: { r: { command: "x", env: { KEY: "${API_KEY}" } } } })).toEqual([
      "mcpServers.r.env.KEY: environment variable API_KEY is not set",
    ]);
  });

  it("skips disabled servers and expands bundled entries with overrides", () => {
    const config = parseMcpConfig({
      mcpServers: {
        off: { command: "x", disabled: true },
        db: { bundled: "database", args: ["--db", "/tmp/other.db"], timeoutMs: 1500, env: { X: "1" } },
      },
    });
    expect(Object.keys(config.servers)).toEqual(["db"]);
    const db = config.servers.db as StdioServerConfig;
    expect(db.command).toBe(process.execPath);
    expect(db.args.slice(-2)).toEqual(["--db", "/tmp/other.db"]);
    expect(db.timeoutMs).toBe(1500);
    expect(db.env.X).toBe("1");
  });
});

describe("bundledServers", () => {
  it("runs weather and database from source under vitest, and the official filesystem server on sample-data", () => {
    const { servers, source } = bundledServers({ databasePath: "/tmp/x.db" });
    expect(source).toBe("bundled");
    expect(Object.keys(servers)).toEqual(["weather", "database", "filesystem"]);
    const weather = servers.weather as StdioServerConfig;
    expect(weather.command).toBe(process.execPath);
    expect(weather.args[0]).toBe("--import");
    expect(weather.args[2]).toMatch(/src\/servers\/weather\/main\.ts$/);
    expect((servers.database as StdioServerConfig).args.slice(-2)).toEqual(["--db", "/tmp/x.db"]);
    const fs = servers.filesystem as StdioServerConfig;
    expect(fs.args[0]).toMatch(/server-filesystem\/dist\/index\.js$/);
    expect(fs.args[1]).toBe(SAMPLE_DATA_DIR);
  });

  it("defaults the database to .baton/database.db under the cwd", () => {
    const db = bundledServers({ cwd: "/somewhere" }).servers.database as StdioServerConfig;
    if (process.env.BATON_DATABASE_PATH === undefined) {
      expect(db.args.slice(-1)).toEqual(["/somewhere/.baton/database.db"]);
    }
  });
});

describe("loadMcpConfig", () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it("uses the bundled servers when there is no baton.config.json", async () => {
    const dir = tempDir("cfg");
    dirs.push(dir);
    const config = await loadMcpConfig(undefined, { cwd: dir.path });
    expect(config.source).toBe("bundled");
  });

  it("reads baton.config.json from the cwd and names the file in errors", async () => {
    const dir = tempDir("cfg");
    dirs.push(dir);
    const file = join(dir.path, "baton.config.json");
    writeFileSync(file, JSON.stringify({ mcpServers: { w: { command: "node" } } }));
    const config = await loadMcpConfig(undefined, { cwd: dir.path });
    expect(config.source).toBe(file);
    expect(Object.keys(config.servers)).toEqual(["w"]);

    writeFileSync(file, JSON.stringify({ mcpServers: { w: { command: ["node"] } } }));
    await expect(loadMcpConfig(undefined, { cwd: dir.path })).rejects.toThrow(
      `Invalid MCP configuration in ${file}: mcpServers.w.command: expected string, received array`,
    );
    writeFileSync(file, "{ not json");
    await expect(loadMcpConfig(file)).rejects.toThrow(/not valid JSON/);
  });

  it("a file without mcpServers is an error naming the file and the key, not the bundled servers", async () => {
    const dir = tempDir("cfg");
    dirs.push(dir);
    const file = join(dir.path, "baton.config.json");
    writeFileSync(file, JSON.stringify({ servers: { w: { command: "node" } } }));
    await expect(loadMcpConfig(undefined, { cwd: dir.path })).rejects.toThrow(
      `Invalid MCP configuration in ${file}: servers: unknown top-level key (did you mean "mcpServers"?)`,
    );
    writeFileSync(file, "{}");
    await expect(loadMcpConfig(file)).rejects.toThrow(/no "mcpServers" key/);
  });

  it("fails for an explicit path that does not exist", async () => {
    await expect(loadMcpConfig("/nonexistent/baton.config.json")).rejects.toBeInstanceOf(McpConfigError);
  });
});
