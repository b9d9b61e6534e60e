import type { Engine } from "./loop.js";

/**
 * The engine behind each compiled graph, for code that runs parts of a run outside `CompiledGraph`'s
 * own methods: a cluster worker running one task of a step another worker drives. Kept out of the
 * public `CompiledGraph` interface on purpose.
 */
const engines = new WeakMap<object, Engine>();

export function registerEngine<G extends object>(engine: Engine, graph: G): G {
  engines.set(graph, engine);
  return graph;
}

/** The engine of a graph compiled by this copy of Baton; undefined for anything else. */
export const engineOf = (graph: object): Engine | undefined => engines.get(graph);
