import { BatonError } from "../errors.js";
import { Send } from "../graph/commands.js";
import { END, START } from "../graph/constants.js";
import type { BranchSpec, GraphSpec } from "../graph/types.js";
import type { TaskSpec, TaskTarget } from "./records.js";

/** Edges indexed by source, computed once per compiled graph. */
export interface RoutingTable {
  readonly spec: GraphSpec;
  readonly plain: ReadonlyMap<string, readonly string[]>;
  /** Source -> indices of join edges it takes part in. */
  readonly joinsOf: ReadonlyMap<string, readonly number[]>;
  readonly branches: ReadonlyMap<string, readonly BranchSpec[]>;
}

export function routingTable(spec: GraphSpec): RoutingTable {
  const plain = new Map<string, string[]>();
  const joinsOf = new Map<string, number[]>();
  const branches = new Map<string, BranchSpec[]>();
  const push = <T>(map: Map<string, T[]>, key: string, v: T) => {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
  };
  spec.edges.forEach((edge, index) => {
    if (edge.from.length === 1) push(plain, edge.from[0]!, edge.to);
    else for (const source of edge.from) push(joinsOf, source, index);
  });
  for (const branch of spec.branches) push(branches, branch.from, branch);
  return { spec, plain, joinsOf, branches };
}

const NONE: readonly never[] = [];

export interface Finished {
  readonly node: string;
  readonly goto?: readonly TaskTarget[];
}

/**
 * What runs in the next step, given the nodes that finished in this one (in deterministic order)
 * and the state after their writes. Pure: routers are called with the state, nothing else.
 */
export function nextTasks(
  table: RoutingTable,
  finished: readonly Finished[],
  state: unknown,
  joins: Readonly<Record<string, readonly string[]>>,
): { next: TaskSpec[]; joins: Readonly<Record<string, readonly string[]>> } {
  const found: Found = { triggered: new Set<string>(), sends: [] };
  // Sources seen by each join this step touches, as sets: a 1,000-branch join stays linear.
  let touched: Map<number, Set<string>> | undefined;
  for (const { node, goto } of finished) {
    for (const to of table.plain.get(node) ?? NONE) addTarget(found, to);
    for (const index of table.joinsOf.get(node) ?? NONE) {
      touched ??= new Map();
      let seen = touched.get(index);
      if (!seen) {
        seen = new Set(joins[index]);
        touched.set(index, seen);
      }
      seen.add(node);
    }
    for (const branch of table.branches.get(node) ?? NONE)
      for (const t of route(table.spec, branch, state)) addTarget(found, t);
    if (goto) for (const t of goto) addTarget(found, checkGoto(table.spec, node, t));
  }
  if (!touched) return { next: toTasks(found), joins };
  const joinState: Record<string, readonly string[]> = { ...joins };
  for (const [index, seen] of touched) {
    const edge = table.spec.edges[index]!;
    if (seen.size === edge.from.length) {
      delete joinState[index];
      addTarget(found, edge.to);
    } else joinState[index] = [...seen];
  }
  return { next: toTasks(found), joins: joinState };
}

/** The targets a step reached: nodes by name (once each) and Sends in the order they came. */
interface Found {
  readonly triggered: Set<string>;
  readonly sends: Array<{ node: string; input: unknown }>;
}

function addTarget(found: Found, t: TaskTarget): void {
  if (typeof t !== "string") found.sends.push(t);
  else if (t !== END) found.triggered.add(t);
}

/** The tasks that START's edges and routers trigger. */
export function firstTasks(table: RoutingTable, state: unknown): TaskSpec[] {
  return nextTasks(table, [{ node: START }], state, {}).next;
}

/**
 * A step's tasks in the order their writes apply (and replay) in: by node name, the edge-triggered
 * task first, then its `Send`s by index — never the order routers and edges produced them in.
 */
function toTasks({ triggered, sends }: Found): TaskSpec[] {
  if (sends.length === 0) return [...triggered].sort().map((node) => ({ id: node, node }));
  const inputs = new Map<string, unknown[]>();
  for (const { node, input } of sends) {
    const list = inputs.get(node);
    if (list) list.push(input);
    else inputs.set(node, [input]);
  }
  const tasks: TaskSpec[] = [];
  for (const node of [...new Set([...triggered, ...inputs.keys()])].sort()) {
    if (triggered.has(node)) tasks.push({ id: node, node });
    const list = inputs.get(node) ?? [];
    for (let i = 0; i < list.length; i++) tasks.push({ id: `${node}#${i}`, node, input: list[i] });
  }
  return tasks;
}

function route(spec: GraphSpec, branch: BranchSpec, state: unknown): TaskTarget[] {
  const result = branch.router(state);
  const values: unknown[] = Array.isArray(result) ? result : [result];
  return values.map((v) => {
    if (v instanceof Send) {
      if (v.node === END)
        throw new BatonError(
          "ROUTER_TARGET",
          `The router after "${branch.from}" returned a Send to END; a Send starts a task, so it must name a node (return END itself to stop)`,
          { node: branch.from },
        );
      return { node: known(spec, branch.from, v.node, v.node), input: v.input };
    }
    if (typeof v !== "string") throw routerError(branch.from, v);
    if (branch.pathMap) {
      const mapped = Object.hasOwn(branch.pathMap, v) ? branch.pathMap[v] : undefined;
      if (mapped === undefined) throw routerError(branch.from, v, Object.keys(branch.pathMap));
      return mapped;
    }
    return known(spec, branch.from, v, v);
  });
}

function known(spec: GraphSpec, from: string, name: string, value: unknown): string {
  if (name !== END && !spec.nodes.has(name)) throw routerError(from, value);
  return name;
}

function routerError(from: string, value: unknown, allowed?: string[]): BatonError {
  const hint = allowed ? ` (its path map allows ${allowed.map((a) => `"${a}"`).join(", ")})` : "";
  return new BatonError(
    "ROUTER_TARGET",
    `The router after "${from}" returned ${JSON.stringify(value) ?? String(value)}, which is not a node of the graph${hint}`,
    { node: from },
  );
}

function checkGoto(spec: GraphSpec, node: string, t: TaskTarget): TaskTarget {
  const name = typeof t === "string" ? t : t.node;
  if (typeof t !== "string" && name === END)
    throw new BatonError(
      "ROUTER_TARGET",
      `Node "${node}" returned a Command with a Send to END; a Send starts a task, so it must name a node (goto END itself to stop)`,
      { node },
    );
  if (name !== END && !spec.nodes.has(name)) {
    throw new BatonError("ROUTER_TARGET", `Node "${node}" returned a Command to unknown node "${name}"`, {
      node,
    });
  }
  return t;
}
