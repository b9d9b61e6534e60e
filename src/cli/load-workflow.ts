import { existsSync } from "node:fs";
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
  registered = true;
}
