import { subgraphKeys } from "../graph/subgraph-keys.js";
import type { CompensationContext, GraphSpec, NodeFunction, NodeSpec } from "../graph/types.js";
import { type ChildGraph, ChildRunFailedError } from "./child-runs.js";
import type { RunResult } from "./compiled.js";
import { TASK_INTERNALS, type TaskInternals } from "./durable-calls.js";
import { childGraphOf, engineOf } from "./engine-registry.js";
import { InterruptSignal } from "./signals.js";
import type { Store } from "./store.js";

/** A subgraph node's child run: one per task, its id the task's idempotency key with `:sub`. */
const childIdOf = (idempotencyKey: string) => `${idempotencyKey}:sub`;

/**
 * The graph's spec with each subgraph node's function made for this store: the node runs the inner
 * graph as a child run named `<graph>/<node>` in the same store, waits for it, and returns the
 * output keys. Inner nodes that declare `compensate` make the node undoable: its undo undoes them.
 */
export function bindSubgraphs(spec: GraphSpec, store: Store | undefined, graphName: () => string): GraphSpec {
  if (![...spec.nodes.values()].some((n) => n.subgraph)) return spec;
  const nodes = new Map<string, NodeSpec>();
  for (const [name, node] of spec.nodes) {
    if (!node.subgraph) {
      nodes.set(name, node);
      continue;
    }
    // Bound on first use: a workflow file's graph is named after its file once compiled.
    const sub = node.subgraph;
    let bound: ChildGraph | undefined;
    const inner = () => (bound ??= childGraphOf(sub.graph)!.boundTo(store, `${graphName()}/${name}`));
    const { keys } = subgraphKeys(name, node.subgraph, spec.channels);
    const appends = new Set(
      Object.entries(node.subgraph.graph.definition.channels)
        .filter(([, c]) => c.kind === "append")
        .map(([k]) => k),
    );
    const fn: NodeFunction<Record<string, unknown>, Record<string, unknown>> = async (state, ctx) => {
      const { calls, resumes } = (ctx as typeof ctx & TaskInternals)[TASK_INTERNALS]();
      const runId = childIdOf(ctx.idempotencyKey);
      const input: Record<string, unknown> = {};
      for (const [from, to] of keys.input) if (state[from] !== undefined) input[to] = state[from];
      const entry = calls.childEntry(runId);
      const result = await calls.child(inner(), input, "subgraph", entry, runId, (r) =>
        passAnswer(inner(), r, resumes),
      );
      if (result.status !== "completed") throw new ChildRunFailedError(result);
      const out = result.state as Record<string, unknown>;
      const update: Record<string, unknown> = {};
      for (const [from, to] of keys.output) {
        let value = out[from];
        // An append key passed in and back out brings back only what the subgraph added.
        const given = input[from];
        if (appends.has(from) && Array.isArray(value) && Array.isArray(given))
          value = value.slice(given.length);
        if (value !== undefined) update[to] = value;
      }
      return update;
    };
    const undoes = hasUndo(node.subgraph.graph.spec);
    const compensate = (_state: unknown, _result: unknown, ctx: CompensationContext) =>
      inner().compensate(childIdOf(ctx.idempotencyKey.slice(0, -":undo".length)), ctx.signal);
    nodes.set(name, { ...node, fn, options: undoes ? { ...node.options, compensate } : node.options });
  }
  return { ...spec, nodes };
}

/** Whether any node of the graph, or of its subgraphs, can be undone. */
function hasUndo(spec: GraphSpec): boolean {
  return [...spec.nodes.values()].some(
    (n) => n.options.compensate || (n.subgraph && hasUndo(n.subgraph.graph.spec)),
  );
}

/**
 * The subgraph's run stopped for an answer. The parent's task answers its stops in order: its
 * n-th answer goes to the child's n-th stop. Answers the child has had from its parent are counted
 * in the child's history (each resume records its answers together), so after a crash the same
 * answer is never given twice. No answer yet: the parent pauses with the child's question.
 */
async function passAnswer(
  inner: ChildGraph,
  result: RunResult<unknown>,
  resumes: readonly unknown[],
): Promise<{ value: unknown }> {
  const given = await answersFromParent(inner.store!, result.runId);
  if (resumes.length > given) return { value: resumes[given] };
  const asked = (result.interrupts ?? []).filter((i) => !i.breakpoint);
  const one = asked.length === 1 ? asked[0] : undefined;
  const payload = one ? one.payload : Object.fromEntries(asked.map((i) => [i.taskId, i.payload]));
  throw new InterruptSignal(payload, undefined, {
    ...(one?.schema ? { jsonSchema: one.schema } : {}),
    from: { runId: result.runId, interrupts: result.interrupts ?? [] },
  });
}

/** How many of its stops the child's parent answered: runs of `interrupt_answered` entries by the parent. */
async function answersFromParent(store: Store, runId: string): Promise<number> {
  const history = await store.listHistory(runId, { limit: 1_000_000 });
  let batches = 0;
  let inBatch = false;
  for (const e of history) {
    const answered = e.type === "interrupt_answered" && e.by.via === "parent";
    if (answered && !inBatch) batches++;
    inBatch = answered;
  }
  return batches;
}

/**
 * The workflow a subgraph node's runs belong to (`<graph>/<node>`), for a process that finds
 * workflows by name (a worker waking a subgraph's sleeping run); undefined if there is no such node.
 */
export function subgraphWorkflow(parent: object, node: string): object | undefined {
  const engine = engineOf(parent);
  const sub = engine?.spec.nodes.get(node)?.subgraph;
  if (!engine || !sub) return undefined;
  return childGraphOf(sub.graph)!.boundTo(childGraphOf(parent)!.store, `${engine.name}/${node}`).graph;
}

/**
 * A subgraph's workflow by its name `<workflow>/<node>` (nested ones too), through `find` for the
 * workflow holding the node; undefined for any other name, or a node that is no subgraph.
 */
export async function subgraphByName<T>(
  name: string,
  find: (name: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const slash = name.lastIndexOf("/");
  if (slash <= 0) return undefined;
  const outer = await find(name.slice(0, slash));
  return outer ? (subgraphWorkflow(outer as object, name.slice(slash + 1)) as T | undefined) : undefined;
}
