import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { bundledServerNames } from "../../mcp/bundled.js";
import { UsageError } from "../exit.js";

const TIMEOUTS = { weather: 5_000, filesystem: 10_000, database: 15_000 } as const;

/** The files `baton init` writes (the README names them). */
export const INIT_CONFIG = "baton.config.json";
export const INIT_WORKFLOW = "hello.workflow.ts";

const EXAMPLE = `import { defineState, END, mcpTools, START, StateGraph, value, type WorkflowContext } from "baton";

// The MCP servers this workflow calls: \`baton run\` refuses to start when baton.config.json lacks one.
export const servers = ["weather"];

interface Weather {
  temperature: number;
  condition: string;
}

const State = defineState({
  city: value("London"),
  weather: value<Weather | null>(null),
  greeting: value(""),
  summary: value(""),
});

// A function of the command's context: the run store and the MCP servers of baton.config.json
// (started on the first call, so \`baton graph\` starts none).
export default (ctx: WorkflowContext) =>
  new StateGraph(State)
    .addNode("weather", async (s, node) => {
      const tools = mcpTools(await ctx.mcp());
      const args = { city: s.city };
      return { weather: await tools.call<Weather>(node, "weather", "get_current_weather", args, { timeoutMs: 5_000 }) };
    })
    .addNode("greet", (s) => ({ greeting: \`hello, \${s.city}\` }))
    .addNode("summarise", (s) => ({
      summary: \`\${s.greeting}: \${s.weather?.temperature} °C, \${s.weather?.condition}\`,
    }))
    .addEdge(START, "weather")
    .addEdge(START, "greet") // weather and greet run at once
    .addEdge(["weather", "greet"], "summarise") // a join: waits for both
    .addEdge("summarise", END)
    .compile({ name: "hello", store: ctx.store });
`;

/** `baton init`: a `baton.config.json` with the bundled MCP servers and an example workflow. */
export async function initCommand(options: { force?: boolean }): Promise<number> {
  const config = resolve(INIT_CONFIG);
  const workflow = resolve(INIT_WORKFLOW);
  for (const file of [config, workflow]) {
    if (existsSync(file) && !options.force) throw new UsageError(`${file} exists; use --force to overwrite`);
  }
  // Portable entries: `bundled` names resolve to this installation's servers wherever it lives.
  const servers = Object.fromEntries(
    bundledServerNames.map((name) => [name, { bundled: name, timeoutMs: TIMEOUTS[name] }]),
  );
  writeFileSync(config, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`);
  writeFileSync(workflow, EXAMPLE);
  const baton = batonCommand();
  process.stdout.write(
    [
      `wrote ${INIT_CONFIG} (the bundled MCP servers: ${bundledServerNames.join(", ")})`,
      `wrote ${INIT_WORKFLOW} (a workflow that calls the weather server)`,
      "",
      `run it:     ${baton} run ${INIT_WORKFLOW}`,
      `            ${baton} run ${INIT_WORKFLOW} --input '{"city": "Tokyo"}'`,
      `draw it:    ${baton} graph ${INIT_WORKFLOW}`,
      `list runs:  ${baton} runs`,
      "",
    ].join("\n"),
  );
  return 0;
}

/**
 * How to call this command from here: `npx baton` where a project here (or above) has it installed;
 * the script's own path when it runs from a clone of the repository; else `baton` (a global install,
 * on the PATH).
 */
function batonCommand(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", ".bin", "baton"))) return "npx baton";
    if (dirname(dir) === dir) break;
  }
  let script: string | undefined;
  try {
    script = process.argv[1] ? realpathSync(process.argv[1]) : undefined;
  } catch {
    script = undefined;
  }
  if (script && !script.split(sep).includes("node_modules")) {
    const rel = relative(process.cwd(), script);
    return rel.startsWith("..") || isAbsolute(rel) ? script : `./${rel}`;
  }
  return "baton";
}
