import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILESYSTEM_READ_TOOLS } from "../../src/mcp/bundled.js";
import { bundledServers, McpManager, SAMPLE_DATA_DIR, ToolError } from "../../src/mcp/index.js";
import { PidTracker, tempDir } from "../mcp/helpers.js";

const pids = new PidTracker();
const sandbox = tempDir("fs-root");
const outside = tempDir("fs-outside");
let mcp: McpManager;

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

beforeAll(async () => {
  writeFileSync(join(sandbox.path, "inside.txt"), "line one\nline two\nline three\n");
  writeFileSync(join(sandbox.path, "pixel.png"), PNG);
  writeFileSync(join(outside.path, "secret.txt"), "top secret");
  symlinkSync(join(outside.path, "secret.txt"), join(sandbox.path, "link-to-secret.txt"));
  symlinkSync(outside.path, join(sandbox.path, "link-to-outside"));
  const samples = bundledServers().servers.filesystem;
  const writable = bundledServers({ allowedDirectories: [sandbox.path] }).servers.filesystem;
  mcp = new McpManager(
    { source: "test", servers: { samples, files: writable } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  const results = await mcp.start();
  expect(results.every((r) => r.ok)).toBe(true);
});

afterAll(async () => {
  await mcp.close();
  sandbox.remove();
  outside.remove();
  expect(pids.alive()).toEqual([]);
});

type Text = { content: string };
const call = (server: string, tool: string, args: Record<string, unknown>) =>
  mcp.callTool<Text>(server, tool, args);
const inBox = (name: string) => join(sandbox.path, name);

describe("filesystem server confined to sample-data (default)", () => {
  it("is read-only: lists only the read tools and refuses a write before it reaches the server", async () => {
    const listed = (await mcp.listTools("samples")).map((t) => t.name);
    expect(listed.sort()).toEqual([...FILESYSTEM_READ_TOOLS].sort());
    expect(listed).not.toContain("write_file");
    const target = join(SAMPLE_DATA_DIR, "planted-by-test.txt");
    for (const [tool, args] of [
      ["write_file", { path: target, content: "x" }],
      ["edit_file", { path: join(SAMPLE_DATA_DIR, "reports/weather-impact-report.md"), edits: [] }],
      ["create_directory", { path: join(SAMPLE_DATA_DIR, "new-folder") }],
      ["move_file", { source: target, destination: `${target}.moved` }],
    ] as const) {
      const error = await call("samples", tool, args).catch((e: unknown) => e);
      expect(error, tool).toBeInstanceOf(ToolError);
      expect((error as Error).message, tool).toMatch(
        /not allowed by this server's configuration \(tools\.allow: read_file/,
      );
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(SAMPLE_DATA_DIR, "new-folder"))).toBe(false);
    // A folder the user configures is writable: the second server lists every tool.
    expect((await mcp.listTools("files")).map((t) => t.name)).toContain("write_file");
  });

  it("lists, searches and reads the sample files", async () => {
    expect((await call("samples", "list_allowed_directories", {})).content).toContain(SAMPLE_DATA_DIR);
    expect((await call("samples", "list_directory", { path: SAMPLE_DATA_DIR })).content).toMatch(
      /\[DIR\] reports/,
    );
    const found = await call("samples", "search_files", { path: SAMPLE_DATA_DIR, pattern: "**/*weather*" });
    expect(found.content).toContain("weather-impact-report.md");
    const report = await call("samples", "read_text_file", {
      path: join(SAMPLE_DATA_DIR, "reports/weather-impact-report.md"),
    });
    expect(report.content).toMatch(/^# Weather impact report/);
  });

  it("refuses ../ escapes, absolute or relative", async () => {
    for (const path of [
      join(SAMPLE_DATA_DIR, "../package.json"),
      "../package.json",
      "sample-data/../../etc/passwd",
      "/etc/passwd",
    ]) {
      const error = await call("samples", "read_text_file", { path }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(ToolError);
      expect((error as Error).message, path).toMatch(/Access denied|outside allowed/i);
    }
  });
});

describe("filesystem server on a folder the user configures: every tool, and symlink escapes", () => {
  it("refuses to follow symlinks out of the allowed folder", async () => {
    for (const [tool, args] of [
      ["read_text_file", { path: inBox("link-to-secret.txt") }],
      ["read_text_file", { path: inBox("link-to-outside/secret.txt") }],
      ["list_directory", { path: inBox("link-to-outside") }],
      ["write_file", { path: inBox("link-to-outside/planted.txt"), content: "x" }],
    ] as const) {
      await expect(call("files", tool, args), `${tool} ${JSON.stringify(args)}`).rejects.toBeInstanceOf(
        ToolError,
      );
    }
    expect(existsSync(join(outside.path, "planted.txt"))).toBe(false);
    expect(readFileSync(join(outside.path, "secret.txt"), "utf8")).toBe("top secret");
  });

  it("reads", async () => {
    expect((await call("files", "read_file", { path: inBox("inside.txt") })).content).toBe(
      "line one\nline two\nline three\n",
    );
    expect((await call("files", "read_text_file", { path: inBox("inside.txt"), head: 1 })).content).toBe(
      "line one",
    );
    const both = await call("files", "read_multiple_files", {
      paths: [inBox("inside.txt"), inBox("missing.txt")],
    });
    expect(both.content).toMatch(/line one[\s\S]*missing\.txt: Error/);
    const media = await mcp.callTool<{ content: Array<{ type: string; mimeType: string }> }>(
      "files",
      "read_media_file",
      {
        path: inBox("pixel.png"),
      },
    );
    expect(media.content[0]).toMatchObject({ type: "image", mimeType: "image/png" });
  });

  it("writes, edits, creates folders and moves files inside the allowed folder", async () => {
    await call("files", "create_directory", { path: inBox("out/deeper") });
    await call("files", "write_file", { path: inBox("out/deeper/note.md"), content: "hello world\n" });
    const diff = await call("files", "edit_file", {
      path: inBox("out/deeper/note.md"),
      edits: [{ oldText: "world", newText: "baton" }],
    });
    expect(diff.content).toContain("+hello baton");
    await call("files", "move_file", {
      source: inBox("out/deeper/note.md"),
      destination: inBox("out/note.md"),
    });
    expect(readFileSync(inBox("out/note.md"), "utf8")).toBe("hello baton\n");
  });

  it("lists, describes and searches", async () => {
    expect((await call("files", "list_directory", { path: sandbox.path })).content).toContain(
      "[FILE] inside.txt",
    );
    const sized = await call("files", "list_directory_with_sizes", { path: sandbox.path, sortBy: "size" });
    expect(sized.content).toMatch(/inside\.txt\s+\d+ B/);
    const tree = JSON.parse(
      (await call("files", "directory_tree", { path: sandbox.path, excludePatterns: ["link-*"] })).content,
    );
    expect(tree.map((e: { name: string }) => e.name)).toContain("inside.txt");
    expect((await call("files", "get_file_info", { path: inBox("inside.txt") })).content).toMatch(/size: 29/);
    expect(
      (await call("files", "search_files", { path: sandbox.path, pattern: "**/*.png" })).content,
    ).toContain("pixel.png");
    expect((await call("files", "list_allowed_directories", {})).content).toContain(sandbox.path);
  });
});
