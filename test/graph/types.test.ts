/**
 * Type-level tests: checked by `tsc` (the test command type-checks test/), asserted with
 * `expectTypeOf`; a `@ts-expect-error` that stops erroring fails the type check.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { NodeContext } from "../../src/graph/types.js";
import {
  append,
  Command,
  defineState,
  END,
  reduce,
  START,
  StateGraph,
  type StateOf,
  type UpdateOf,
  value,
} from "./core.js";

const State = defineState({
  count: value(0),
  label: value<string>(),
  log: append<string>(),
  total: reduce((a: number, b: number) => a + b, 0),
});
type S = StateOf<typeof State.channels>;
type U = UpdateOf<typeof State.channels>;

describe("types flow from the state definition", () => {
  it("gives each key its channel's value and update types", () => {
    expectTypeOf<S>().toEqualTypeOf<{
      count: number;
      label: string | undefined;
      log: string[];
      total: number;
    }>();
    expectTypeOf<U>().toEqualTypeOf<{
      count?: number;
      label?: string;
      log?: string | string[];
      total?: number;
    }>();
  });

  it("types node arguments, returns, invoke input and result", async () => {
    const graph = new StateGraph(State)
      .addNode("a", (state, ctx) => {
        expectTypeOf(state).toEqualTypeOf<S>();
        expectTypeOf(ctx).toEqualTypeOf<NodeContext>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        return { count: state.count + 1, log: "a" };
      })
      .addNode("b", async (state) => new Command({ update: { log: [state.log.join()] }, goto: END }), {
        ends: [END],
        compensate: (state, result) => {
          expectTypeOf(state).toEqualTypeOf<S>();
          expectTypeOf(result).toEqualTypeOf<U | undefined>();
        },
      })
      .addConditionalEdges("a", (state) => {
        expectTypeOf(state).toEqualTypeOf<S>();
        return state.count > 1 ? "b" : END;
      })
      .addEdge(START, "a")
      .compile({ store: false });
    expectTypeOf(graph.invoke).parameter(0).toEqualTypeOf<U>();
    const final = await graph.invoke({ count: 1 });
    expectTypeOf(final).toEqualTypeOf<S>();
    expect(final).toEqual({ count: 2, label: undefined, log: ["a", "a"], total: 0 });
    expectTypeOf(graph.invoke).returns.resolves.toEqualTypeOf<S>();
    // @ts-expect-error input is checked against the update type
    const bad = () => graph.invoke({ count: "x" });
    expectTypeOf(bad).toBeFunction();
  });

  it("refuses updates that do not fit the state", () => {
    const builder = new StateGraph(State);
    // @ts-expect-error a number key cannot take a string
    builder.addNode("wrongType", () => ({ count: "one" }));
    // @ts-expect-error unknown keys are refused
    builder.addNode("unknownKey", () => ({ nope: 1 }));
    // @ts-expect-error an append key takes items of its type
    builder.addNode("wrongItem", () => ({ log: 5 }));
    // @ts-expect-error Command updates are checked too
    builder.addNode("wrongCommand", () => new Command({ update: { total: "x" } }));
    expect(builder.spec().nodes.size).toBe(4);
  });
});
