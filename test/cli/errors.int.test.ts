import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, cleanup, REPO, tempDir } from "./helpers.js";

afterAll(cleanup);

/** Exit code 2 and exactly one line on stderr, `baton: <message>`; nothing on stdout. */
async function usageError(
  args: string[],
  cwd: string,
  message: RegExp,
  env: Record<string, string> = {},
): Promise<void> {
  const r = await baton(args, { cwd, env });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^baton: /);
  expect(lines[0]).toMatch(message);
}

describe.concurrent("bad input: one clear line on stderr, exit code 2", () => {
  it("an unknown workflow", () =>
    usageError(
      ["run", "no-such-flow"],
      tempDir("err"),
      /Unknown workflow "no-such-flow"; shipped workflows are parallel-research, support-router, order-saga/,
    ));

  it("a workflow file that does not exist", () =>
    usageError(["run", "./missing.ts"], tempDir("err"), /Workflow file not found: .*missing\.ts/));

  it("a workflow file that does not export a graph, or does not compile", async () => {
    const cwd = tempDir("err");
    writeFileSync(join(cwd, "empty.ts"), "export const x = 1;\n");
    writeFileSync(join(cwd, "broken.ts"), "export default (;\n");
    await usageError(["run", "empty.ts"], cwd, /empty\.ts must export \(default\) a compiled graph/);
    await usageError(["run", "broken.ts"], cwd, /Could not load workflow .*broken\.ts/);
  });

  it("malformed --input JSON, or JSON that is not an object", async () => {
    const cwd = tempDir("err");
    await usageError(["run", "order-saga", "--input", "{customer:"], cwd, /--input is not valid JSON/);
    await usageError(["run", "order-saga", "--input", "[1, 2]"], cwd, /--input must be a JSON object/);
  });

  it("a missing --input-file, and a malformed one", async () => {
    const cwd = tempDir("err");
    await usageError(
      ["run", "order-saga", "--input-file", "nope.json"],
      cwd,
      /Input file not found: nope\.json/,
    );
    writeFileSync(join(cwd, "bad.json"), "{ not json");
    await usageError(
      ["run", "order-saga", "--input-file", "bad.json"],
      cwd,
      /--input-file bad\.json is not valid JSON/,
    );
  });

  it("input keys the workflow does not have", () =>
    usageError(
      ["run", "support-router", "--input", '{"qurey": "hi"}'],
      tempDir("err"),
      /unknown key\(s\) "qurey"/,
    ));

  it("a config file with an invalid mcpServers entry, given or found here; no run is created", async () => {
    const cwd = tempDir("err");
    const bad = { mcpServers: { weather: { commnd: "node" }, database: { command: "x", url: "http://y" } } };
    writeFileSync(join(cwd, "bad.json"), JSON.stringify(bad));
    await usageError(
      ["run", "parallel-research", "--config", "bad.json"],
      cwd,
      /Invalid MCP configuration in .*bad\.json: .*mcpServers\.weather\.commnd: unknown field/,
    );
    writeFileSync(join(cwd, "baton.config.json"), JSON.stringify(bad));
    await usageError(["run", "order-saga"], cwd, /Invalid MCP configuration in .*baton\.config\.json/);
    await usageError(["mcp", "tools"], cwd, /Invalid MCP configuration/);
    writeFileSync(join(cwd, "baton.config.json"), "{ nope");
    await usageError(["run", "support-router"], cwd, /baton\.config\.json: not valid JSON/);
    // Nothing was started: listing runs does not need the MCP configuration.
    expect((await baton(["runs"], { cwd })).stdout).toBe("no runs\n");
  });

  it("a support-router rules file with a bad pattern", async () => {
    const cwd = tempDir("err");
    const rules = { categories: { billing: ["invoice("] }, urgency: [], escalation: [], escalateWhen: {} };
    writeFileSync(join(cwd, "rules.json"), JSON.stringify(rules));
    await usageError(
      ["run", "support-router", "--query", "my invoice"],
      cwd,
      /Support rules .*rules\.json: categories\.billing\.0: not a valid regular expression/,
      { BATON_SUPPORT_RULES: join(cwd, "rules.json") },
    );
  });

  it("a --config file that does not exist", () =>
    usageError(
      ["run", "order-saga", "--config", "nowhere.json"],
      tempDir("err"),
      /Config file not found: .*nowhere\.json/,
    ));

  it("an unknown run id for resume, show and cancel", async () => {
    const cwd = tempDir("err");
    for (const command of ["resume", "show", "cancel"])
      await usageError([command, "no-such-run"], cwd, /No run with id "no-such-run" in .*\.baton\/baton\.db/);
  });

  it("a malformed --value for resume, bad --status and --limit for runs", async () => {
    const cwd = tempDir("err");
    await usageError(["resume", "any", "--value", "{oops"], cwd, /--value is not valid JSON/);
    await usageError(["runs", "--status", "done"], cwd, /--status must be one of pending, running/);
    await usageError(["runs", "--limit", "0"], cwd, /--limit must be a positive integer/);
    await usageError(["graph", "order-saga", "--format", "dot"], cwd, /--format must be "mermaid"/);
  });

  it("commander's own usage errors exit 2 too", async () => {
    const cwd = tempDir("err");
    for (const args of [["frobnicate"], ["run"], ["run", "order-saga", "--bogus"]]) {
      const r = await baton(args, { cwd });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});

describe("a server that does not start", () => {
  it("mcp tools lists the servers that did start, says why one did not, and exits 1", async () => {
    const cwd = tempDir("err");
    const weather = { command: "node", args: [join(REPO, "dist/servers/weather/main.js")] };
    const config = { mcpServers: { ghost: { command: "no-such-binary-for-baton" }, weather } };
    writeFileSync(join(cwd, "baton.config.json"), JSON.stringify(config));
    const r = await baton(["mcp", "tools"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^weather\n {2}get_current_weather /);
    expect(r.stdout).not.toContain("ghost");
    expect(r.stderr.trimEnd()).toBe(
      'baton: MCP server "ghost" did not start: spawn no-such-binary-for-baton ENOENT',
    );
  });
});

describe.concurrent("--help", () => {
  it.each([
    [[]],
    [["run"]],
    [["resume"]],
    [["cancel"]],
    [["runs"]],
    [["show"]],
    [["graph"]],
    [["mcp"]],
    [["mcp", "tools"]],
    [["init"]],
  ])("baton %j --help exits 0 with usage", async (command) => {
    const r = await baton([...command, "--help"], { cwd: tempDir("help") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: baton${command.length ? ` ${command.join(" ")}` : ""} `);
  });

  it("--version prints the version", async () => {
    const r = await baton(["--version"], { cwd: tempDir("help") });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
