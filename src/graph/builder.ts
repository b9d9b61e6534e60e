import type { CompiledGraph, CompileOptions } from "../engine/compiled.js";
import { createCompiledGraph } from "../engine/compiled.js";
import { childGraphOf } from "../engine/engine-registry.js";
import { BatonError } from "../errors.js";
import type { ChannelMap, StateDefinition, StateOf, UpdateOf } from "./state.js";
import type {
  BranchSpec,
  EdgeSpec,
  GraphSpec,
  NodeFunction,
  NodeOptions,
  NodeSpec,
  Router,
  SubgraphKeys,
  SubgraphSpec,
} from "./types.js";
import { validateGraph } from "./validate.js";

const unbound = () => {
  throw new BatonError("GRAPH_INVALID", "A subgraph node runs only in a compiled graph");
};

export interface GraphOptions {
  /** State key (an `append` channel) where `onError: "continue"` records final failures. */
  errorKey?: string;
}

/**
 * Build a workflow as a graph of nodes over a typed state.
 *
 * @example
 * const graph = new StateGraph(defineState({ n: value(0) }))
 *   .addNode("inc", (s) => ({ n: s.n + 1 }))
 *   .addEdge(START, "inc")
 *   .addEdge("inc", END)
 *   .compile();
 */
export class StateGraph<C extends ChannelMap> {
  readonly definition: StateDefinition<C>;
  private readonly options: GraphOptions;
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly edges: EdgeSpec[] = [];
  private readonly branches: BranchSpec[] = [];
  private readonly duplicateNodes: string[] = [];

  constructor(definition: StateDefinition<C>, options: GraphOptions = {}) {
    this.definition = definition;
    this.options = options;
  }

  /**
   * Add a node: a function of the state, or a compiled graph run as a subgraph. A subgraph node's
   * inner steps are durable in a child run of their own (a crash resumes inside it, an `interrupt`
   * inside pauses this run, compensation undoes its steps too); the keys the two states share pass
   * in and back out, unless `input` / `output` name them.
   */
  addNode(
    name: string,
    subgraph: SubgraphSpec["graph"],
    options?: Omit<NodeOptions<StateOf<C>, UpdateOf<C>>, "compensate"> & SubgraphKeys,
  ): this;
  addNode(
    name: string,
    fn: NodeFunction<StateOf<C>, UpdateOf<C>>,
    options?: NodeOptions<StateOf<C>, UpdateOf<C>>,
  ): this;
  addNode(
    name: string,
    fn: NodeFunction<StateOf<C>, UpdateOf<C>> | SubgraphSpec["graph"],
    options: NodeOptions<StateOf<C>, UpdateOf<C>> & SubgraphKeys = {},
  ): this {
    if (this.nodes.has(name)) {
      this.duplicateNodes.push(name);
      return this;
    }
    if (typeof fn === "function") {
      this.nodes.set(name, { name, fn, options });
      return this;
    }
    if (!childGraphOf(fn))
      throw new BatonError(
        "GRAPH_INVALID",
        `addNode("${name}") needs a function or a graph compiled by Baton (.compile())`,
      );
    const { input, output, ...nodeOptions } = options;
    const subgraph: SubgraphSpec = {
      graph: fn,
      ...(input !== undefined ? { input } : {}),
      ...(output !== undefined ? { output } : {}),
    };
    // The function is made at compile time, once the store the child runs in is known.
    this.nodes.set(name, { name, fn: unbound, options: nodeOptions, subgraph });
    return this;
  }

  /** `addEdge("a", "b")`, or `addEdge(["a", "b"], "c")`: c runs once, after both a and b finished. */
  addEdge(from: string | readonly string[], to: string): this {
    this.edges.push({ from: typeof from === "string" ? [from] : [...from], to });
    return this;
  }

  /**
   * After `from`, call `router` on the state: it returns a node, several nodes, `Send`s or `END`.
   * With a path map, its values are the router's possible results mapped to nodes.
   */
  addConditionalEdges(
    from: string,
    router: Router<StateOf<C>>,
    pathMap?: Readonly<Record<string, string>> | readonly string[],
  ): this {
    const branch: BranchSpec = pathMap
      ? {
          from,
          router,
          pathMap: Array.isArray(pathMap) ? Object.fromEntries(pathMap.map((n) => [n, n])) : pathMap,
        }
      : { from, router };
    this.branches.push(branch);
    return this;
  }

  /** The plain description of the graph as built so far. */
  spec(): GraphSpec {
    const spec: GraphSpec = {
      nodes: new Map(this.nodes),
      edges: [...this.edges],
      branches: [...this.branches],
      duplicateNodes: [...this.duplicateNodes],
      channels: Object.keys(this.definition.channels),
    };
    return this.options.errorKey ? { ...spec, errorKey: this.options.errorKey } : spec;
  }

  /** Validate the graph (throwing `GraphValidationError` naming every offender) and make it runnable. */
  compile(options: CompileOptions = {}): CompiledGraph<C> {
    const spec = this.spec();
    validateGraph(spec, this.definition);
    return createCompiledGraph(this.definition, spec, options);
  }
}
