/** A workflow with a subgraph inside a subgraph and a `ctx.runChild`, for the HTTP and dashboard tests. */
import type { Store } from "../../src/engine/store.js";
import { StateGraph } from "../../src/graph/builder.js";
import { append, value } from "../../src/graph/channels.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState } from "../../src/graph/state.js";

const Paper = defineState({
  topic: value(""),
  notes: append<string>(),
  verdict: value(""),
  receipt: value(""),
});
const Review = defineState({ topic: value(""), notes: append<string>(), verdict: value("") });
const Deep = defineState({ topic: value(""), notes: append<string>() });
const Receipt = defineState({ topic: value(""), receipt: value("") });

/** deep: START -> dig -> END. */
function deepGraph(store: Store) {
  return new StateGraph(Deep)
    .addNode("dig", (s) => ({ notes: `dug ${s.topic}` }))
    .addEdge(START, "dig")
    .addEdge("dig", END)
    .compile({ store, name: "deep" });
}

/** review: START -> draft -> deep (a subgraph) -> check (asks a person, with `ask`) -> END. */
function reviewGraph(store: Store, ask: boolean) {
  return new StateGraph(Review)
    .addNode("draft", (s) => ({ notes: `draft of ${s.topic}` }))
    .addNode("deep", deepGraph(store))
    .addNode("check", (s, ctx) => ({
      notes: "checked",
      verdict: ask ? ctx.interrupt<string>({ approve: s.notes.at(-1) }) : "ok",
    }))
    .addEdge(START, "draft")
    .addEdge("draft", "deep")
    .addEdge("deep", "check")
    .addEdge("check", END)
    .compile({ store, name: "review" });
}

/** receipt: START -> print -> END (started by `ctx.runChild`). */
export function receiptGraph(store: Store) {
  return new StateGraph(Receipt)
    .addNode("print", (s) => ({ receipt: `receipt for ${s.topic}` }))
    .addEdge(START, "print")
    .addEdge("print", END)
    .compile({ store, name: "receipt" });
}

/** paper: START -> intro -> review (a subgraph holding the subgraph deep) -> bill (runs receipt as a child) -> END. */
export function paperGraph(store: Store, receipt = receiptGraph(store), options: { ask?: boolean } = {}) {
  return new StateGraph(Paper)
    .addNode("intro", () => ({ notes: "intro" }))
    .addNode("review", reviewGraph(store, options.ask ?? false))
    .addNode("bill", async (s, ctx) => {
      const done = await ctx.runChild(receipt, { topic: s.topic });
      return { receipt: done.receipt };
    })
    .addEdge(START, "intro")
    .addEdge("intro", "review")
    .addEdge("review", "bill")
    .addEdge("bill", END)
    .compile({ store, name: options.ask ? "paper-ask" : "paper" });
}
