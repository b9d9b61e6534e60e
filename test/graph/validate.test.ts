import { describe, expect, it } from "vitest";
import { GraphValidationError } from "../../src/errors.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState, StateGraph, value } from "./core.js";

const State = defineState({ n: value(0), route: value("") });
const noop = () => ({});

/** Compile and return the validation error (failing the test when there is none). */
function problemsOf(graph: StateGraph<typeof State.channels>): GraphValidationError {
  try {
    graph.compile({ store: false });
  } catch (error) {
    expect(error).toBeInstanceOf(GraphValidationError);
    expect((error as GraphValidationError).code).toBe("GRAPH_INVALID");
    return error as GraphValidationError;
  }
  throw new Error("compile() accepted an invalid graph");
}

const chain = () => new StateGraph(State).addNode("a", noop).addEdge(START, "a").addEdge("a", END);

describe("compile-time validation", () => {
  it("accepts a valid graph", () => {
    expect(() => chain().compile({ store: false })).not.toThrow();
  });

  it("rejects an edge to an unknown node, naming it", () => {
    const error = problemsOf(chain().addEdge("a", "ghost"));
    expect(error.problems).toEqual(['edge "a" -> "ghost" names unknown node "ghost"']);
    expect(error.message).toContain('"ghost"');
  });

  it("rejects an edge from an unknown node, naming it", () => {
    const error = problemsOf(chain().addEdge("phantom", "a"));
    expect(error.problems).toEqual(['edge "phantom" -> "a" names unknown node "phantom"']);
  });

  it("rejects a join naming an unknown node", () => {
    const error = problemsOf(chain().addNode("b", noop).addEdge(START, "b").addEdge(["a", "nope"], "b"));
    expect(error.problems).toContain('join edge [a, nope] -> "b" names unknown node "nope"');
  });

  it("rejects a conditional edge from an unknown node", () => {
    const error = problemsOf(chain().addConditionalEdges("nowhere", () => END));
    expect(error.problems).toContain('conditional edge from unknown node "nowhere"');
  });

  it("rejects duplicate node names, naming the duplicate", () => {
    const error = problemsOf(chain().addNode("a", noop));
    expect(error.problems).toEqual(['duplicate node name "a"']);
  });

  it.each([START, END])("rejects the reserved name %s", (reserved) => {
    const error = problemsOf(chain().addNode(reserved, noop));
    expect(error.problems).toContain(`node name "${reserved}" is reserved`);
  });

  it.each(["x:y", "x#1", ""])(
    "rejects the node name %j (it would make task ids or keys ambiguous)",
    (name) => {
      const graph = new StateGraph(State).addNode(name, noop).addEdge(START, name).addEdge(name, END);
      expect(problemsOf(graph).problems).toEqual([
        `node name "${name}" must be non-empty without ":" or "#"`,
      ]);
    },
  );

  it("rejects a graph with no nodes, or nothing leaving START", () => {
    expect(problemsOf(new StateGraph(State)).problems).toContain("the graph has no nodes");
    const orphan = new StateGraph(State).addNode("a", noop).addEdge("a", END);
    expect(problemsOf(orphan).problems).toContain("no edge leaves START");
  });

  it("rejects a node unreachable from START, naming it", () => {
    const error = problemsOf(chain().addNode("island", noop).addEdge("island", END));
    expect(error.problems).toEqual(['node "island" is unreachable from START']);
  });

  it("rejects a node with no path to END, naming it", () => {
    const graph = chain()
      .addNode("loop1", noop)
      .addNode("loop2", noop)
      .addEdge(START, "loop1")
      .addEdge("loop1", "loop2")
      .addEdge("loop2", "loop1");
    const error = problemsOf(graph);
    expect(error.problems).toEqual(['node "loop1" has no path to END', 'node "loop2" has no path to END']);
  });

  it("rejects a path map naming an unknown node, naming the router, key and node", () => {
    const graph = chain().addConditionalEdges("a", (s) => s.route, { go: "missing", stop: END });
    const error = problemsOf(graph);
    expect(error.problems).toContain('path map of "a" maps "go" to unknown node "missing"');
  });

  it("uses path maps for reachability: a node no path reaches is unreachable", () => {
    const graph = new StateGraph(State)
      .addNode("a", noop)
      .addNode("b", noop)
      .addNode("c", noop)
      .addEdge(START, "a")
      .addConditionalEdges("a", (s) => s.route, { b: "b", end: END })
      .addEdge("b", END)
      .addEdge("c", END);
    expect(problemsOf(graph).problems).toEqual(['node "c" is unreachable from START']);
  });

  it("treats a router without a path map as reaching every node", () => {
    const graph = new StateGraph(State)
      .addNode("a", noop)
      .addNode("b", noop)
      .addEdge(START, "a")
      .addConditionalEdges("a", (s) => s.route)
      .addEdge("b", END);
    expect(() => graph.compile({ store: false })).not.toThrow();
  });

  it("counts Command `ends` as edges, and rejects unknown ones", () => {
    const ok = new StateGraph(State)
      .addNode("a", noop, { ends: ["b", END] })
      .addNode("b", noop)
      .addEdge(START, "a")
      .addEdge("b", END);
    expect(() => ok.compile({ store: false })).not.toThrow();
    const bad = chain()
      .addNode("b", noop, { ends: ["zzz"] })
      .addEdge("a", "b")
      .addEdge("b", END);
    expect(problemsOf(bad).problems).toContain('node "b" lists unknown node "zzz" in ends');
  });

  it("rejects edges into START, out of END, joins on START and joins listing a node twice", () => {
    const graph = chain()
      .addNode("b", noop)
      .addEdge("a", START)
      .addEdge(END, "a")
      .addEdge([START, "a"], "b")
      .addEdge(["a", "a"], "b");
    const { problems } = problemsOf(graph);
    expect(problems).toContain('edge "a" -> "__start__" goes to START');
    expect(problems).toContain('edge "__end__" -> "a" starts at END');
    expect(problems).toContain('join edge [__start__, a] -> "b" cannot join on START');
    expect(problems).toContain('join edge [a, a] -> "b" lists a node twice');
  });

  it("rejects node options that cannot work, naming the node", () => {
    const graph = chain()
      .addNode("t", noop, { timeout: 0, retry: { attempts: 0 }, onError: "continue" })
      .addEdge("a", "t")
      .addEdge("t", END);
    const { problems } = problemsOf(graph);
    expect(problems).toContain('node "t" has onError "continue" but the graph names no errorKey');
    expect(problems).toContain('node "t" has a timeout that is not > 0');
    expect(problems).toContain('node "t" has retry.attempts that is not an integer >= 1');
  });

  it("requires the errorKey to be an append channel of the state", () => {
    const missing = new StateGraph(State, { errorKey: "errors" })
      .addNode("a", noop)
      .addEdge(START, "a")
      .addEdge("a", END);
    expect(problemsOf(missing).problems).toEqual(['errorKey "errors" is not a state key']);
    const wrongKind = new StateGraph(State, { errorKey: "n" })
      .addNode("a", noop)
      .addEdge(START, "a")
      .addEdge("a", END);
    expect(problemsOf(wrongKind).problems).toEqual(['errorKey "n" must be an append channel']);
  });

  it("reports every problem at once", () => {
    const graph = chain().addNode("a", noop).addEdge("a", "ghost").addNode(END, noop);
    expect(problemsOf(graph).problems).toHaveLength(3);
  });
});
