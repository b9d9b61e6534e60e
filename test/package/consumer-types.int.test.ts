/**
 * The published types, as a user gets them: `npm pack` (of the built `dist/`), unpacked into a fresh
 * project's node_modules beside Baton's production dependencies only (no @types/node, no
 * @types/better-sqlite3, no @types/pg: those are Baton's devDependencies), then `tsc --noEmit` with
 * `strict` and without `skipLibCheck` over a correct workflow. The dependencies are hard-linked from
 * this repository's node_modules (the ones package-lock.json does not mark dev), so no network is needed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

if (!existsSync(join(REPO, "dist/index.d.ts")))
  throw new Error("dist/ is missing: build first (npx tsc -p tsconfig.build.json, or npm test)");

/** A correct workflow using the public API broadly: state, parallel branches, Send, Command, MCP, stores. */
const WORKFLOW = `import {
  append,
  Command,
  defineState,
  END,
  McpManager,
  MemoryStore,
  mcpTools,
  type NodeContext,
  openSqliteStore,
  reduce,
  type RunEvent,
  Send,
  START,
  StateGraph,
  type Store,
  value,
} from "baton";

const State = defineState({
  topic: value(""),
  notes: append<string>(),
  total: reduce((a: number, b: number) => a + b, 0),
  summary: value(""),
});

export function build(store: Store, mcp?: McpManager) {
  const tools = mcp ? mcpTools(mcp) : undefined;
  return new StateGraph(State)
    .addNode("facts", async (s, ctx: NodeContext) => {
      const weather = tools ? await tools.call(ctx, "weather", "get_current_weather", { city: s.topic }) : null;
      return { notes: \`facts about \${s.topic} \${JSON.stringify(weather)}\`, total: 1 };
    })
    .addNode("opinions", (s) => ({ notes: [\`opinions on \${s.topic}\`], total: 2 }), {
      retry: { attempts: 3, initialDelayMs: 10 },
      timeout: 1_000,
    })
    .addNode("fan", (s) => new Command({ update: { total: s.total }, goto: [new Send("summarise", { n: 1 })] }), {
      ends: ["summarise"],
    })
    .addNode("summarise", async (s, ctx) => {
      const sent = await ctx.once("send", () => ({ id: 7 }));
      await ctx.sleep(0);
      const reply = await ctx.waitForEvent<{ text: string }>("reply", { timeoutMs: 1 });
      const text: string = reply.timedOut ? "none" : reply.payload.text;
      return [{ summary: s.notes.join(" + ").toUpperCase() }, { notes: \`\${sent.id} \${text}\` }];
    }, { defer: true })
    .addEdge(START, "facts")
    .addEdge(START, "opinions")
    .addEdge(["facts", "opinions"], "fan")
    .addEdge("summarise", END)
    .compile({ store, name: "consumer" });
}

const graph = build(new MemoryStore());
const result = await graph.invoke({ topic: "workflows" });
const summary: string = result.summary;
const total: number = result.total;
const notes: string[] = result.notes;
const run = await graph.run({ topic: "again" }, { onEvent: (e: RunEvent) => void e.type });
const status: string = run.status;
await graph.signal(run.runId, "reply", { text: "hi" }).catch(() => undefined);
await graph.updateState(run.runId, { topic: "edited" }, { asNode: "fan" }).catch(() => undefined);
const later = await graph.run({ topic: "later" }, { startAt: new Date(Date.now() + 60_000), hold: 0, threadId: "t" });
const laterStatus: "pending" | string = later.status;
console.log(laterStatus);
const sqlite = openSqliteStore(":memory:");
await sqlite.close();
console.log(summary, total, notes, status);

export default graph;
`;

/** The same, wrong: the types must be real (not `any`) for the check above to mean anything. */
const WRONG = `import { defineState, StateGraph, START, END, value } from "baton";
const State = defineState({ topic: value("") });
export default new StateGraph(State)
  .addNode("a", (s) => ({ topic: s.topic.toFixed(2) }))
  .addEdge(START, "a")
  .addEdge("a", END)
  .compile();
`;

const HTTP = `import { createApp } from "baton/http";
export type App = ReturnType<typeof createApp>;
`;

let project: string;

/** The production dependencies: top-level package folders package-lock.json does not mark dev. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(
      ([path, p]) => path.startsWith("node_modules/") && !path.slice(13).includes("/node_modules/") && !p.dev,
    )
    .map(([path]) => path.slice("node_modules/".length))
    .filter((name) => existsSync(join(REPO, "node_modules", name)));
}

function tsc(config: Record<string, unknown>, files: string[]): { code: number | null; out: string } {
  const name = `tsconfig.${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(join(project, name), JSON.stringify({ compilerOptions: config, files }));
  const r = spawnSync(process.execPath, [TSC, "-p", name], { cwd: project, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "baton-consumer-"));
  // Exactly what `npm pack` ships (of the current build; --ignore-scripts: no rebuild).
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], {
      cwd: REPO,
      encoding: "utf8",
    }),
  ) as Array<{ filename: string }>;
  const tarball = join(project, packed[0]!.filename);
  const baton = join(project, "node_modules/baton");
  mkdirSync(baton, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", baton, "--strip-components=1"]);
  for (const name of productionPackages()) {
    const to = join(project, "node_modules", name);
    mkdirSync(dirname(to), { recursive: true });
    // Hard links where the file system allows (fast, no copies); a plain copy elsewhere.
    const linked = spawnSync("cp", ["-al", join(REPO, "node_modules", name), to]);
    if (linked.status !== 0) cpSync(join(REPO, "node_modules", name), to, { recursive: true });
  }
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", type: "module", private: true }),
  );
  writeFileSync(join(project, "workflow.ts"), WORKFLOW);
  writeFileSync(join(project, "wrong.ts"), WRONG);
  writeFileSync(join(project, "http.ts"), HTTP);
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the packed package's types in a consumer project", () => {
  it("ships no @types of its devDependencies into the consumer (the premise of the check)", () => {
    expect(existsSync(join(project, "node_modules/baton/dist/index.d.ts"))).toBe(true);
    expect(existsSync(join(project, "node_modules/@types/node"))).toBe(false);
    expect(existsSync(join(project, "node_modules/@types/better-sqlite3"))).toBe(false);
    expect(existsSync(join(project, "node_modules/@types/pg"))).toBe(false);
  });

  it("a correct workflow type-checks with strict and no skipLibCheck; a wrong one does not", () => {
    // One compiler run (it is slow): the correct files must have no error at all, and the wrong
    // file exactly its one, which shows the types are real (not `any`).
    const r = tsc({ strict: true, target: "es2022", module: "nodenext", noEmit: true }, [
      "workflow.ts",
      "http.ts",
      "wrong.ts",
    ]);
    const errors = r.out.split("\n").filter((l) => l.includes("error TS"));
    expect(errors).toEqual([
      expect.stringMatching(
        /^wrong\.ts\(4,\d+\): error TS\d+: Property 'toFixed' does not exist on type 'string'/,
      ),
    ]);
    expect(r.code).toBe(2);
  }, 120_000);
});
