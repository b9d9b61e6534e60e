import { END, START } from "./constants.js";
import type { GraphSpec } from "./types.js";

/**
 * Where each node can go next, as far as the graph says: static and join edges, path-mapped routers,
 * and Command `ends`. A router without a path map may go anywhere (`open`).
 */
export interface Successors {
  readonly next: ReadonlyMap<string, ReadonlySet<string>>;
  readonly open: ReadonlySet<string>;
}

export function successors(spec: GraphSpec): Successors {
  const next = new Map<string, Set<string>>();
  const open = new Set<string>();
  const add = (from: string, to: string) => {
    const set = next.get(from) ?? new Set<string>();
    next.set(from, set);
    set.add(to);
  };
  for (const edge of spec.edges) for (const from of edge.from) add(from, edge.to);
  for (const branch of spec.branches) {
    if (branch.pathMap) for (const to of Object.values(branch.pathMap)) add(branch.from, to);
    else open.add(branch.from);
  }
  for (const node of spec.nodes.values()) for (const to of node.options.ends ?? []) add(node.name, to);
  return { next, open };
}

/** Every node reachable from `from` (open routers reach every node and END). */
export function reachable(spec: GraphSpec, topology: Successors, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.pop()!;
    const targets = topology.open.has(node) ? [...spec.nodes.keys(), END] : (topology.next.get(node) ?? []);
    for (const to of targets) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/**
 * Every node from which END can be reached: one backwards search from END (and from open routers,
 * which may go to END directly) instead of one forward search per node.
 */
export function reachingEnd(topology: Successors): Set<string> {
  const before = new Map<string, string[]>();
  for (const [from, targets] of topology.next) {
    for (const to of targets) {
      const list = before.get(to);
      if (list) list.push(from);
      else before.set(to, [from]);
    }
  }
  const seen = new Set<string>([END, ...topology.open]);
  const queue = [...seen];
  while (queue.length > 0) {
    for (const from of before.get(queue.pop()!) ?? []) {
      if (!seen.has(from)) {
        seen.add(from);
        queue.push(from);
      }
    }
  }
  return seen;
}

export const isKnownTarget = (spec: GraphSpec, name: string) => name === END || spec.nodes.has(name);
export const isKnownSource = (spec: GraphSpec, name: string) => name === START || spec.nodes.has(name);
