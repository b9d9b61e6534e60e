import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextTasks, routingTable } from "../../src/engine/routing.js";
import { compareTaskIds } from "../../src/engine/writes.js";
import { defineState, END, Send, START, StateGraph, value } from "../graph/core.js";

const NAMES = ["a", "b", "ab", "B", "z", "m1", "m10", "m2"];

/** A graph whose router after START returns whatever the test puts in the state. */
function table() {
  const graph = new StateGraph(defineState({ route: value<Array<string | Send>>([]) }));
  for (const name of NAMES) graph.addNode(name, () => ({})).addEdge(name, END);
  graph.addConditionalEdges(START, (s) => s.route);
  return routingTable(graph.spec());
}

describe("the order of a step's tasks", () => {
  it("is the order replay sorts records in (node name, then send index), whatever routers return", () => {
    const routes = fc.array(
      fc.oneof(
        fc.constantFrom(...NAMES),
        fc.record({ to: fc.constantFrom(...NAMES), input: fc.integer() }).map((r) => new Send(r.to, r.input)),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(routes, (route) => {
        const { next } = nextTasks(table(), [{ node: START }], { route }, {});
        const ids = next.map((t) => t.id);
        expect(ids).toEqual([...ids].sort(compareTaskIds));
        expect(new Set(ids).size).toBe(ids.length);
        // Sends to one node keep the order they were returned in.
        for (const name of NAMES) {
          const sent = route.flatMap((r) => (r instanceof Send && r.node === name ? [r.input] : []));
          expect(next.filter((t) => t.id.startsWith(`${name}#`)).map((t) => t.input)).toEqual(sent);
        }
      }),
    );
  });

  it("numbers sends by index, not text: m#2 before m#10", () => {
    expect(["m#10", "m#2", "m", "l#0"].sort(compareTaskIds)).toEqual(["l#0", "m", "m#2", "m#10"]);
  });
});
