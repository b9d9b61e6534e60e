import { existsSync } from "node:fs";
import { createRequire, register as registerHooks } from "node:module";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { engineOf } from "../engine/engine-registry.js";
import type { AnyCompiledGraph, ShippedWorkflow, WorkflowContext } from "../workflows/types.js";
import { prestartMcpFor } from "./runtime.js";
import { UsageError } from "./usage-error.js";

export interface LoadedWorkflow {
  readonly graph: AnyCompiledGraph;
  readonly shipped?: ShippedWorkflow;
  /** The file it came from, for user workflows. */
  readonly path?: string;
  /**
   * The MCP servers it calls, when it says (a shipped workflow's `servers`, a file's
   * `export const servers = [...]`): a run is refused before it starts when the configuration lacks one.
   */
  readonly servers?: readonly string[];
}

const looksLikePath = (ref: string) => /[/\\]|\.[cm]?[jt]s$/.test(ref);

/** A shipped workflow by name, or a user's `.ts`/`.js` file exporting a graph (or a function building one). */
export async function loadWorkflow(
  ref: string,
  ctx: WorkflowContext,
  options: { keepDefaultName?: boolean } = {},
): Promise<LoadedWorkflow> {
  // A path is never a shipped name: the shipped workflows (and zod, for their input schemas) load only for names.
  const shipped = looksLikePath(ref)
    ? undefined
    : (await import("../workflows/index.js")).shippedWorkflow(ref);
  if (shipped) {
    const servers = (shipped as { servers?: readonly string[] }).servers;
    const loaded = { graph: await shipped.build(ctx), shipped, ...(servers ? { servers } : {}) };
    // When the command runs it (`baton run`): its MCP servers start now, all at once, not in step 1.
    await prestartMcpFor(ctx, loaded);
    return loaded;
  }
  if (!looksLikePath(ref)) {
    throw new UsageError(
      `Unknown workflow "${ref}"; shipped workflows are ${(await import("../workflows/index.js")).shippedWorkflowNames().join(", ")}, or give a path to a .ts file`,
    );
  }
  const path = resolve(ref);
  if (!existsSync(path)) throw new UsageError(`Workflow file not found: ${path}`);
  if (/\.[cm]?ts$/.test(path)) await registerTypeScript(path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(loadFailure(path, error), { cause: error });
  }
  const exported = mod.default ?? mod.graph ?? mod.workflow;
  const graph =
    typeof exported === "function" ? await (exported as (c: WorkflowContext) => unknown)(ctx) : exported;
  if (!isCompiledGraph(graph)) {
    if (isUncompiledGraph(graph))
      throw new UsageError(
        `${path} exports a StateGraph that is not compiled: call .compile() on it (export default new StateGraph(State)...compile())`,
      );
    throw new UsageError(`${path} must export (default) a compiled graph or a function returning one`);
  }
  const servers = declaredServers(mod.servers, path);
  return {
    graph: options.keepDefaultName ? graph : nameAfterFile(graph, path),
    path,
    ...(servers ? { servers } : {}),
  };
}

/**
 * Why a workflow file did not load, in one line. A syntax error (esbuild's, through tsx) names the
 * file, line and column and the compiler's message; anything else gives its first line.
 */
function loadFailure(path: string, error: unknown): string {
  const e = error as { message?: unknown; errors?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  // esbuild's error objects carry `errors[]` with locations; across tsx's loader thread only the
  // message survives, whose lines are `file:line:column: ERROR: text`.
  const located: string[] = [];
  if (Array.isArray(e?.errors)) {
    for (const m of e.errors as Array<{
      text?: string;
      location?: { file?: string; line?: number; column?: number };
    }>) {
      const at = m.location;
      located.push(at ? `${at.file || path}:${at.line}:${at.column}: ${m.text}` : String(m.text));
    }
  }
  if (located.length === 0) {
    for (const line of message.split("\n")) {
      const m = /^(.+?):(\d+):(\d+): ERROR: (.*)$/.exec(line.trim());
      if (m) located.push(`${m[1]}:${m[2]}:${m[3]}: ${m[4]}`);
    }
  }
  if (located.length > 0) {
    const more =
      located.length > 1 ? ` (and ${located.length - 1} more error${located.length > 2 ? "s" : ""})` : "";
    return `Syntax error in workflow ${located[0]}${more}`;
  }
  return `Could not load workflow ${path}: ${message.split("\n")[0]}`;
}

/** A `StateGraph` builder (it has `addNode` and `compile`) exported where a compiled graph belongs. */
function isUncompiledGraph(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { compile?: unknown }).compile === "function" &&
    typeof (value as { addNode?: unknown }).addNode === "function"
  );
}

/** `export const servers = ["weather", "database"]`: the MCP servers the file's workflow calls. */
function declaredServers(value: unknown, path: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== ""))
    throw new UsageError(`${path}: "servers" must be an array of MCP server names, like ["weather"]`);
  return value as string[];
}

/** The name `compile()` gives a graph when it is given none. */
export const DEFAULT_GRAPH_NAME = "graph";

/**
 * A user file's graph compiled without `compile({ name })` is named after its file
 * (`reports.ts` → `reports`), so two files do not share the one default name (and one file's
 * runs are not resumed with the other's graph).
 */
function nameAfterFile(graph: AnyCompiledGraph, path: string): AnyCompiledGraph {
  if (graph.name !== DEFAULT_GRAPH_NAME) return graph;
  const name = basename(path).replace(/\.[cm]?[jt]s$/, "");
  // The name runs are recorded under lives in the graph's engine (a graph from another copy of
  // Baton has none here: it keeps its name).
  const engine = engineOf(graph) as { name: string } | undefined;
  if (!engine || name === "") return graph;
  engine.name = name;
  Object.defineProperty(graph, "name", { value: name, enumerable: true });
  return graph;
}

function isCompiledGraph(value: unknown): value is AnyCompiledGraph {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AnyCompiledGraph).run === "function" &&
    typeof (value as AnyCompiledGraph).resume === "function"
  );
}

let registered = false;
/** Let `import()` load TypeScript files directly: user workflows need no build step. */
async function registerTypeScript(file: string): Promise<void> {
  if (registered) return;
  // The Baton the file imports, loaded before tsx's hooks are: after, each of its modules (hundreds,
  // with its dependencies) would be resolved and loaded through them, on the hooks' thread.
  await import(batonFor(file)).catch(() => undefined);
  const { register } = await import("tsx/esm/api");
  register();
  // Registered after tsx, so these hooks run first (see `userWorkflowHooks`).
  registerHooks(`data:text/javascript,${encodeURIComponent(userWorkflowHooks())}`);
  registered = true;
}

/** What `import "baton"` in `file` loads: the package its folder resolves, else this one (see the hooks). */
function batonFor(file: string): string {
  try {
    return pathToFileURL(createRequire(file).resolve("baton")).href;
  } catch {
    return new URL(import.meta.url.endsWith(".ts") ? "../index.ts" : "../index.js", import.meta.url).href;
  }
}

/**
 * Loader hooks for user workflow files, so `baton run file.ts` works where users keep them:
 * - a `.ts` file in a folder whose package.json is not `"type": "module"` (or that has none) is
 *   loaded as ESM: workflows are written with `import`, and tsx would otherwise treat it as CommonJS
 *   and fail (`require()` of the file itself in a cycle, or of our ESM-only package);
 * - `import ... from "baton"` that does not resolve (a global install, a bare folder) is this
 *   command's own package, so the workflow and the engine share one copy of it.
 */
function userWorkflowHooks(): string {
  const self = new URL(import.meta.url.endsWith(".ts") ? "../index.ts" : "../index.js", import.meta.url).href;
  return `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (specifier === "baton" && error && error.code === "ERR_MODULE_NOT_FOUND")
      return { url: ${JSON.stringify(self)}, format: "module", shortCircuit: true };
    throw error;
  }
}
export async function load(url, context, next) {
  const userTs = url.startsWith("file:") && /\\.ts$/.test(new URL(url).pathname) && !url.includes("/node_modules/");
  return next(url, userTs && context.format === "commonjs" ? { ...context, format: "module" } : context);
}
`;
}
