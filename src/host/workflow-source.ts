import type { Workflow, WorkflowSource } from "../cluster/workflow.js";
import type { WorkflowContext } from "../workflows/types.js";
import { loadWorkflow } from "./load-workflow.js";
import { UsageError } from "./usage-error.js";
import { workflowPathFor } from "./workflow-paths.js";

/**
 * Workflows by graph name: the `--workflow` files and names (loaded now, so a broken file is a usage
 * error at start), then shipped workflows and files `baton run`/`submit` remembered, on first use.
 */
export async function workflowSource(
  ctx: WorkflowContext,
  dbSpec: string,
  refs: readonly string[],
): Promise<WorkflowSource> {
  const byName = new Map<string, Promise<Workflow>>();
  for (const ref of refs) {
    const { graph } = await loadWorkflow(ref, ctx);
    byName.set(graph.name, Promise.resolve(graph));
  }
  return (name) => {
    let found = byName.get(name);
    if (!found) {
      const ref = workflowPathFor(dbSpec, name) ?? name;
      found = loadWorkflow(ref, ctx).then(({ graph }) => {
        if (graph.name !== name) throw new UsageError(`${ref} holds workflow "${graph.name}", not "${name}"`);
        return graph;
      });
      found.catch(() => byName.delete(name));
      byName.set(name, found);
    }
    return found;
  };
}
