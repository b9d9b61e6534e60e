import { existsSync } from "node:fs";
import { register as registerHooks } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { shippedWorkflow, shippedWorkflowNames } from "../workflows/index.js";
import type { AnyCompiledGraph, ShippedWorkflow, WorkflowContext } from "../workflows/types.js";
import { UsageError } from "./exit.js";

export interface LoadedWorkflow {
  readonly graph: AnyCompiledGraph;
  readonly shipped?: ShippedWorkflow;
  /** The file it came from, for user workflows. */
  readonly path?: string;
}

const looksLikePath = (ref: string) => /[/\\]|\.[cm]?[jt]s$/.test(ref);

/** A shipped workflow by name, or a user's `.ts`/`.js` file exporting a graph (or a function building one). */
export async function loadWorkflow(ref: string, ctx: WorkflowContext): Promise<LoadedWorkflow> {
  const shipped = shippedWorkflow(ref);
  if (shipped) return { graph: await shipped.build(ctx), shipped };
  if (!looksLikePath(ref)) {
    throw new UsageError(
      `Unknown workflow "${ref}"; shipped workflows are ${shippedWorkflowNames().join(", ")}, or give a path to a .ts file`,
    );
  }
  const path = resolve(ref);
  if (!existsSync(path)) throw new UsageError(`Workflow file not found: ${path}`);
  if (/\.[cm]?ts$/.test(path)) await registerTypeScript();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Could not load workflow ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  const exported = mod.default ?? mod.graph ?? mod.workflow;
  const graph =
    typeof exported === "function" ? await (exported as (c: WorkflowContext) => unknown)(ctx) : exported;
  if (!isCompiledGraph(graph)) {
    throw new UsageError(`${path} must export (default) a compiled graph or a function returning one`);
  }
  return { graph, path };
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
async function registerTypeScript(): Promise<void> {
  if (registered) return;
  const { register } = await import("tsx/esm/api");
  register();
  // Registered after tsx, so these hooks run first (see `userWorkflowHooks`).
  registerHooks(`data:text/javascript,${encodeURIComponent(userWorkflowHooks())}`);
  registered = true;
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
