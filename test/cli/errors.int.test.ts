import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, REPO, tempDir } from "./helpers.js";

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
    writeFileSync(join(cwd, "broken.ts"), 'import { StateGraph } from "baton";\n\nexport default (;\n');
    await usageError(["run", "empty.ts"], cwd, /empty\.ts must export \(default\) a compiled graph/);
    // file:line:column and the compiler's message, for run and graph alike.
    for (const command of ["run", "graph"])
      await usageError(
        [command, "broken.ts"],
        cwd,
        /^baton: Syntax error in workflow \/.*\/broken\.ts:3:16: Unexpected ";"$/,
      );
  });

  it("a workflow file exporting a StateGraph without .compile(), directly or from a function", async () => {
    const cwd = tempDir("err");
    const graph = `new StateGraph(defineState({ a: value(0) })).addNode("x", () => ({})).addEdge(START, "x").addEdge("x", END)`;
    const imports = 'import { defineState, END, START, StateGraph, value } from "baton";\n';
    writeFileSync(join(cwd, "plain.ts"), `${imports}export default ${graph};\n`);
    writeFileSync(join(cwd, "fn.ts"), `${imports}export default () => ${graph};\n`);
    for (const file of ["plain.ts", "fn.ts"])
      await usageError(
        ["run", file],
        cwd,
        new RegExp(
          `${file.replace(".", "\\.")} exports a StateGraph that is not compiled: call \\.compile\\(\\) on it`,
        ),
      );
    expect((await baton(["runs"], { cwd })).stdout).toMatch(/no runs/);
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

  it("a config file whose top-level keys are not just mcpServers: each named, with a did-you-mean", async () => {
    const cwd = tempDir("err");
    const cases: Array<[unknown, RegExp]> = [
      [
        { servers: { weather: { bundled: "weather" } } },
        /: servers: unknown top-level key \(did you mean "mcpServers"\?\)$/,
      ],
      [{ mcpserver: {} }, /: mcpserver: unknown top-level key \(did you mean "mcpServers"\?\)$/],
      [{ MCPServers: {} }, /: MCPServers: unknown top-level key \(did you mean "mcpServers"\?\)$/],
      [
        { mcpServers: { weather: { bundled: "weather" } }, store: "sqlite" },
        /: store: unknown top-level key; the servers go under "mcpServers"$/,
      ],
      [{}, /: no "mcpServers" key: list the servers as "mcpServers": /],
    ];
    for (const [config, message] of cases) {
      writeFileSync(join(cwd, "baton.config.json"), JSON.stringify(config));
      await usageError(["run", "order-saga"], cwd, /Invalid MCP configuration in .*baton\.config\.json: /);
      await usageError(["mcp", "tools"], cwd, message);
    }
    expect((await baton(["runs"], { cwd })).stdout).toMatch(/no runs/);
  });

  it("a configuration without the servers a workflow needs: refused before the run, naming both", async () => {
    const cwd = tempDir("err");
    writeFileSync(join(cwd, "baton.config.json"), JSON.stringify({ mcpServers: {} }));
    await usageError(
      ["run", "order-saga"],
      cwd,
      /^baton: order-saga needs the MCP server "database", which \/.*\/baton\.config\.json does not configure \(it has none\); add it under "mcpServers"/,
    );
    await usageError(
      ["run", "parallel-research", "--json"],
      cwd,
      /parallel-research needs the MCP servers "weather", "filesystem", "database", which .*baton\.config\.json does not configure/,
    );
    // A file says which servers it calls with `export const servers`.
    writeFileSync(
      join(cwd, "flow.ts"),
      `import { defineState, END, START, StateGraph, value } from "baton";
export const servers = ["weather", "search"];
export default new StateGraph(defineState({ a: value(0) })).addNode("x", () => ({})).addEdge(START, "x").addEdge("x", END).compile();
`,
    );
    writeFileSync(
      join(cwd, "baton.config.json"),
      JSON.stringify({ mcpServers: { weather: { bundled: "weather" } } }),
    );
    await usageError(
      ["run", "flow.ts"],
      cwd,
      /flow\.ts needs the MCP server "search", which .*baton\.config\.json does not configure \(it has "weather"\)/,
    );
    expect((await baton(["runs"], { cwd })).stdout).toMatch(/no runs/);
  });

  it("--query beside an input that has a query", async () => {
    const cwd = tempDir("err");
    writeFileSync(join(cwd, "in.json"), JSON.stringify({ query: "from the file" }));
    await usageError(
      ["run", "support-router", "--query", "hi", "--input", '{"query": "hello"}'],
      cwd,
      /Both --query and --input give a query; give it once/,
    );
    await usageError(
      ["run", "support-router", "--query", "hi", "--input-file", "in.json"],
      cwd,
      /Both --query and --input-file in\.json give a query/,
    );
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

describe.concurrent("a node that throws something that is not an Error", () => {
  it("says what it threw, in the run's errors and in the progress", async () => {
    const cwd = tempDir("err");
    writeFileSync(
      join(cwd, "throws.ts"),
      `import { defineState, END, START, StateGraph, value } from "baton";
export default new StateGraph(defineState({ a: value(0) }))
  .addNode("nothing", () => { throw undefined; }, { retry: { attempts: 1 } })
  .addNode("empty", () => { throw null; }, { retry: { attempts: 1 } })
  .addNode("blank", () => { throw new Error(); }, { retry: { attempts: 1 } })
  .addEdge(START, "nothing").addEdge(START, "empty").addEdge(START, "blank")
  .addEdge(["nothing", "empty", "blank"], END)
  .compile();
`,
    );
    const r = await batonJson(["run", "throws.ts"], { cwd });
    expect(r.code).toBe(1);
    expect(r.status).toBe("failed");
    const message = String(r.errors[0]?.message);
    expect(message).toMatch(/^Node "\w+" failed: /);
    expect(message).not.toMatch(/failed: $/);
    const shown = await baton(["run", "throws.ts"], { cwd });
    expect(shown.stderr).toContain("nothing threw undefined instead of an Error");
    expect(shown.stderr).toContain("empty threw null instead of an Error");
    expect(shown.stderr).toContain("blank Error with no message");
  });
});

describe("a workflow file without compile({ name })", () => {
  it("is named after its file, so two files keep their own names and runs", async () => {
    const cwd = tempDir("err");
    const source = `import { defineState, END, START, StateGraph, value } from "baton";
export default new StateGraph(defineState({ a: value(0) })).addNode("x", () => ({ a: 1 })).addEdge(START, "x").addEdge("x", END).compile();
`;
    writeFileSync(join(cwd, "alpha.ts"), source);
    writeFileSync(join(cwd, "beta.workflow.ts"), source);
    expect((await baton(["run", "alpha.ts"], { cwd })).code).toBe(0);
    expect((await baton(["run", "beta.workflow.ts"], { cwd })).code).toBe(0);
    const runs = JSON.parse((await baton(["runs", "--json"], { cwd })).stdout) as Array<{ graph: string }>;
    expect(runs.map((r) => r.graph).sort()).toEqual(["alpha", "beta.workflow"]);
    const registry = JSON.parse(readFileSync(join(cwd, ".baton/workflows.json"), "utf8"));
    expect(registry).toEqual({
      alpha: join(cwd, "alpha.ts"),
      "beta.workflow": join(cwd, "beta.workflow.ts"),
    });
  });

  it("a run recorded under the default name (started outside baton) still resumes from its file", async () => {
    const cwd = tempDir("err");
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(cwd, "node_modules"));
    symlinkSync(REPO, join(cwd, "node_modules/baton"));
    writeFileSync(
      join(cwd, "ask.ts"),
      `import { defineState, END, START, StateGraph, value } from "baton";
const graph = new StateGraph(defineState({ answer: value("") }))
  .addNode("ask", (_s, ctx) => ({ answer: String(ctx.interrupt({ question: "?" })) }))
  .addEdge(START, "ask").addEdge("ask", END)
  .compile();
export default graph;
if (process.env.START_IT) console.log((await graph.run({})).runId);
`,
    );
    const runId = execFileSync(process.execPath, ["--import", import.meta.resolve("tsx"), "ask.ts"], {
      cwd,
      env: { ...process.env, START_IT: "1", BATON_DB: join(cwd, ".baton/baton.db") },
      encoding: "utf8",
    }).trim();
    const r = await batonJson(["resume", runId, "--workflow", "ask.ts", "--value", '"yes"'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual({ answer: "yes" });
    const runs = JSON.parse((await baton(["runs", "--json"], { cwd })).stdout) as Array<{ graph: string }>;
    expect(runs.map((run) => run.graph)).toEqual(["graph"]);
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
