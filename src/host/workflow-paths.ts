import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isPostgresUrl } from "./runtime.js";

/** Where `baton run file.ts` records which file a graph name came from, so `resume` can find it. */
function registryPath(dbSpec: string): string {
  return isPostgresUrl(dbSpec)
    ? resolve(".baton/workflows.json")
    : resolve(dirname(resolve(dbSpec)), "workflows.json");
}

export function rememberWorkflowPath(dbSpec: string, graph: string, path: string): void {
  const file = registryPath(dbSpec);
  const known = readRegistry(file);
  if (known[graph] === path) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...known, [graph]: path }, null, 2));
}

export function workflowPathFor(dbSpec: string, graph: string): string | undefined {
  return readRegistry(registryPath(dbSpec))[graph];
}

function readRegistry(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}
