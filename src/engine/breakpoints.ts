import { BatonError, GraphValidationError } from "../errors.js";
import type { GraphSpec } from "../graph/types.js";
import type { InterruptInfo, TaskSpec } from "./records.js";

/** Static breakpoints: pause before a step that runs one of `before`, or after one that ran one of `after`. */
export interface Breakpoints {
  readonly before: ReadonlySet<string>;
  readonly after: ReadonlySet<string>;
  /** The step a resume continues past its `before` breakpoint (it paused there). */
  readonly passBefore?: number;
}

export interface BreakpointOptions {
  /** Pause the run before a step that would run any of these nodes; `resume` continues past it. */
  interruptBefore?: readonly string[];
  /** Pause the run after a step that ran any of these nodes (unless the run ends there). */
  interruptAfter?: readonly string[];
}

/** The breakpoints of a call (its own, else the graph's); undefined when there are none. */
export function breakpointsOf(
  spec: GraphSpec,
  call: BreakpointOptions,
  graph: BreakpointOptions,
  asError: "compile" | "call",
): Breakpoints | undefined {
  const before = call.interruptBefore ?? graph.interruptBefore ?? [];
  const after = call.interruptAfter ?? graph.interruptAfter ?? [];
  const unknown = [
    ...before.filter((n) => !spec.nodes.has(n)).map((n) => `interruptBefore names unknown node "${n}"`),
    ...after.filter((n) => !spec.nodes.has(n)).map((n) => `interruptAfter names unknown node "${n}"`),
  ];
  if (unknown.length > 0) {
    if (asError === "compile") throw new GraphValidationError(unknown);
    throw new BatonError(
      "INPUT_INVALID",
      `${unknown.join("; ")} (known: ${[...spec.nodes.keys()].join(", ")})`,
    );
  }
  if (before.length === 0 && after.length === 0) return undefined;
  return { before: new Set(before), after: new Set(after) };
}

/** The pause a breakpoint makes at `step`, naming each node it stopped at; undefined: no pause. */
export function breakpointPause(
  breaks: Breakpoints | undefined,
  kind: "before" | "after",
  tasks: readonly TaskSpec[],
  step: number,
): InterruptInfo[] | undefined {
  if (!breaks || (kind === "before" && breaks.passBefore === step)) return undefined;
  const nodes = kind === "before" ? breaks.before : breaks.after;
  const hit = tasks.filter((t) => nodes.has(t.node));
  if (hit.length === 0) return undefined;
  return hit.map((t) => ({
    taskId: t.id,
    node: t.node,
    step,
    payload: { breakpoint: kind, node: t.node },
    breakpoint: kind,
  }));
}
