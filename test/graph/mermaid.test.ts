import { describe, expect, it } from "vitest";
import { defineState, END, START, StateGraph, value } from "./core.js";

const noop = () => ({});

describe("toMermaid", () => {
  it("draws nodes, edges, joins, path-mapped routers and Command ends", () => {
    const graph = new StateGraph(defineState({ r: value("") }))
      .addNode("plan", noop)
      .addNode("web search", noop)
      .addNode("db", noop, { ends: ["review"] })
      .addNode("merge", noop)
      .addNode("review", noop)
      .addEdge(START, "plan")
      .addEdge("plan", "web search")
      .addEdge("plan", "db")
      .addEdge(["web search", "db"], "merge")
      .addConditionalEdges("merge", (s) => s.r, { ok: END, again: "review" })
      .addEdge("review", END)
      .compile({ store: false });
    expect(graph.toMermaid()).toBe(
      [
        "flowchart TD",
        "  __start__([start])",
        '  plan["plan"]',
        '  web_search["web search"]',
        '  db["db"]',
        '  merge["merge"]',
        '  review["review"]',
        "  __end__([end])",
        "  __start__ --> plan",
        "  plan --> web_search",
        "  plan --> db",
        "  join3(( ))",
        "  web_search --> join3",
        "  db --> join3",
        "  join3 --> merge",
        "  review --> __end__",
        "  merge -.->|ok| __end__",
        "  merge -.->|again| review",
        "  db -.->|goto| review",
      ].join("\n"),
    );
  });

  it("draws a router without a path map as a dotted route", () => {
    const graph = new StateGraph(defineState({ r: value("") }))
      .addNode("a", noop)
      .addEdge(START, "a")
      .addConditionalEdges("a", () => END)
      .compile({ store: false });
    expect(graph.toMermaid().split("\n")).toContain("  a -.->|route| __end__");
  });

  it("keeps nodes whose names sanitise alike apart, and escapes quotes in labels", () => {
    const graph = new StateGraph(defineState({ r: value("") }))
      .addNode("a b", noop)
      .addNode("a_b", noop)
      .addNode('say "hi"', noop)
      .addEdge(START, "a b")
      .addEdge("a b", "a_b")
      .addEdge("a_b", 'say "hi"')
      .addEdge('say "hi"', END)
      .compile({ store: false });
    const lines = graph.toMermaid().split("\n");
    expect(lines).toContain('  a_b["a b"]');
    expect(lines).toContain('  a_b_2["a_b"]');
    expect(lines).toContain('  say__hi_["say #quot;hi#quot;"]');
    expect(lines).toContain("  a_b --> a_b_2");
  });
});
