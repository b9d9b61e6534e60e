import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type * as Mcp from "../../src/mcp/index.js";
import { PidTracker, tempDir } from "./helpers.js";

// `npm test` builds first; a plain `vitest run` without a build skips this file.
const distIndex = fileURLToPath(new URL("../../dist/mcp/index.js", import.meta.url));
const built =
  existsSync(distIndex) &&
  existsSync(fileURLToPath(new URL("../../dist/servers/weather/main.js", import.meta.url)));
const pids = new PidTracker();
const dir = tempDir("dist");

afterAll(() => {
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

describe.skipIf(!built)("the built package", () => {
  it("launches the bundled servers from dist/ with plain node (no tsx)", async () => {
    const mcp = (await import(pathToFileURL(distIndex).href)) as typeof Mcp;
    const config = mcp.bundledServers({ databasePath: `${dir.path}/db.sqlite` });
    const weather = config.servers.weather as Mcp.StdioServerConfig;
    expect(weather.args).toEqual([
      fileURLToPath(new URL("../../dist/servers/weather/main.js", import.meta.url)),
    ]);
    const manager = new mcp.McpManager(config, {
      healthIntervalMs: 0,
      onEvent: (e) => e.type === "server_started" && pids.add(e.pid),
    });
    try {
      const results = await manager.start();
      expect(results.map((r) => [r.name, r.ok])).toEqual([
        ["weather", true],
        ["database", true],
        ["filesystem", true],
      ]);
      await expect(
        manager.callTool("weather", "get_current_weather", { city: "Sydney" }),
      ).resolves.toMatchObject({
        temperature: 25,
      });
    } finally {
      await manager.close();
    }
  });
});
