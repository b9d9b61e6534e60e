import type { Workflow, WorkflowSource } from "../cluster/workflow.js";
import { subgraphByName } from "../engine/subgraph.js";
import { knownWorkflow, provideWorkflows } from "../engine/workflow-registry.js";
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
  const source: WorkflowSource = (name) => {
    let found = byName.get(name);
    // Compiled already with this store (a child workflow the loaded file compiles beside its own).
    const known = knownWorkflow(ctx.store, name);
    if (!found && known) found = Promise.resolve(known as Workflow);
    if (!found && name.lastIndexOf("/") > 0) {
      // A subgraph node's runs: `<workflow>/<node>`, found through the workflow that holds the node.
      found = subgraphByName(name, source).then((inner) => {
        if (!inner) throw new UsageError(`No workflow has the subgraph "${name}" (<workflow>/<node>)`);
        return inner;
      });
      found.catch(() => byName.delete(name));
      byName.set(name, found);
    }
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
  // `ctx.runChild("name")` in these workflows finds the workflow the same way.
  provideWorkflows(ctx.store, (name) => source(name));
  return source;
}
