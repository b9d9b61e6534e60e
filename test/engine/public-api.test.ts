/** The package entry point, imported by name as users do (the package's self-reference to dist/). */
import {
  append,
  Command,
  defineState,
  END,
  GraphValidationError,
  Send,
  START,
  StateGraph,
  value,
} from "baton";
import { describe, expect, it } from "vitest";

describe('import from "baton"', () => {
  it("builds, validates and runs a graph", async () => {
    const graph = new StateGraph(defineState({ n: value(0), seen: append<string>() }))
      .addNode("fan", () => new Command({ goto: [new Send("visit", "a"), new Send("visit", "b")] }), {
        ends: ["visit"],
      })
      .addNode("visit", (s, ctx) => ({ seen: `${String(ctx.input)}${s.n}` }))
      .addEdge(START, "fan")
      .addEdge("visit", END)
      .compile({ store: false });
    expect(await graph.invoke({ n: 1 })).toEqual({ n: 1, seen: ["a1", "b1"] });
    expect(() => new StateGraph(defineState({ n: value(0) })).compile({ store: false })).toThrow(
      GraphValidationError,
    );
  });
});
