import type { RunRecord } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import { subgraphByName } from "../engine/subgraph.js";
import { loadWorkflow } from "../host/load-workflow.js";
import { workflowPathFor } from "../host/workflow-paths.js";
import { shippedWorkflow, shippedWorkflowNames } from "../workflows/index.js";
import type { AnyCompiledGraph, WorkflowContext } from "../workflows/types.js";
import type { WorkflowInfo } from "./api-types.js";

/**
 * Where the server finds a workflow's graph by name. Names only, never paths from a request: a
 * request must not make the server import a file of its choosing.
 */
export interface WorkflowSource {
  /** The workflows a run may be started with. */
  list(): Promise<WorkflowInfo[]>;
  /** The compiled graph of that name (built once), or undefined when there is none. */
  load(name: string): Promise<AnyCompiledGraph | undefined>;
}

/** A fixed set of compiled graphs, by name: for tests and for embedding the server in a program. */
export function staticWorkflows(graphs: Record<string, AnyCompiledGraph>): WorkflowSource {
  return {
    async list() {
      return Object.keys(graphs).map((name) => ({ name, shipped: false }));
    },
    load: withSubgraphs(async (name) => (Object.hasOwn(graphs, name) ? graphs[name] : undefined)),
  };
}

/**
 * The shipped workflows, plus the user workflows `baton run file.ts` recorded for this database
 * (the same lookup `baton resume` uses), all built with the server's store and MCP servers.
 */
export function runtimeWorkflows(rt: { ctx: WorkflowContext; dbSpec: string; store: Store }): WorkflowSource {
  const built = new Map<string, Promise<AnyCompiledGraph>>();
  const refFor = (name: string) => (shippedWorkflow(name) ? name : workflowPathFor(rt.dbSpec, name));
  return {
    async list() {
      const shipped: WorkflowInfo[] = shippedWorkflowNames().map((name) => {
        const w = shippedWorkflow(name)!;
        return {
          name,
          description: w.description,
          shipped: true,
          ...(w.defaultInput ? { defaultInput: w.defaultInput } : {}),
        };
      });
      const seen = new Set(shipped.map((w) => w.name));
      const recent = await rt.store.listRuns({ limit: 500 });
      const user = [...new Set(recent.map((r: RunRecord) => r.graph))]
        .filter((name) => !seen.has(name) && workflowPathFor(rt.dbSpec, name))
        .map((name) => ({ name, shipped: false }));
      return [...shipped, ...user];
    },
    load: withSubgraphs((name) => {
      const ref = refFor(name);
      if (!ref) return Promise.resolve(undefined);
      let graph = built.get(ref);
      if (!graph) {
        graph = loadWorkflow(ref, rt.ctx).then((w) => w.graph);
        // A failed load (a file with an error) is tried again next time, after the user fixed it.
        graph.catch(() => built.delete(ref));
        built.set(ref, graph);
      }
      return graph;
    }),
  };
}

/**
 * A loader that also finds a subgraph node's runs' workflow, `<workflow>/<node>` (nested ones too),
 * through the workflow that holds the node: the same graph its runs ran with, bound to its store.
 */
export function withSubgraphs(
  load: (name: string) => Promise<AnyCompiledGraph | undefined>,
): (name: string) => Promise<AnyCompiledGraph | undefined> {
  const find = async (name: string): Promise<AnyCompiledGraph | undefined> =>
    (await load(name)) ?? subgraphByName(name, find);
  return find;
}
