import type { ChildGraph } from "./child-runs.js";
import type { Engine } from "./loop.js";

/**
 * The engine behind each compiled graph, for code that runs parts of a run outside `CompiledGraph`'s
 * own methods: a cluster worker running one task of a step another worker drives, a task running
 * the graph as its child. Kept out of the public `CompiledGraph` interface on purpose.
 */
interface Internals {
  readonly engine: Engine;
  readonly child: ChildGraph;
}

const graphs = new WeakMap<object, Internals>();

export function registerEngine<G extends object>(engine: Engine, child: ChildGraph, graph: G): G {
  graphs.set(graph, { engine, child });
  return graph;
}

/** The engine of a graph compiled by this copy of Baton; undefined for anything else. */
export const engineOf = (graph: object): Engine | undefined => graphs.get(graph)?.engine;

/** How a task runs this graph as its child; undefined for anything but a graph compiled by Baton. */
export const childGraphOf = (graph: object): ChildGraph | undefined => graphs.get(graph)?.child;
