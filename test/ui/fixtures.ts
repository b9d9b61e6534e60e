/** Workflows for the operator tests that need no MCP server: a schema'd approval and a Send fan-out. */
import { z } from "zod";
import type { Store } from "../../src/engine/store.js";
import { StateGraph } from "../../src/graph/builder.js";
import { append, value } from "../../src/graph/channels.js";
import { Send } from "../../src/graph/commands.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState } from "../../src/graph/state.js";

const Decision = z.object({
  approved: z.boolean(),
  assignee: z.string().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
});

const ReviewState = defineState({
  amount: value(0),
  decision: value<z.infer<typeof Decision> | null>(null),
  log: append<string>(),
});

/** START -> check -> review (asks a person, with a schema) -> book | refuse -> END. */
export function reviewGraph(store: Store) {
  return new StateGraph(ReviewState)
    .addNode("check", () => ({ log: "check" }))
    .addNode("review", (s, c) => {
      const decision = c.interrupt(
        { question: `Approve a refund of ${s.amount} EUR?`, amount: s.amount },
        { schema: Decision },
      );
      return { decision, log: "review" };
    })
    .addNode("book", () => ({ log: "book" }))
    .addNode("refuse", () => ({ log: "refuse" }))
    .addEdge(START, "check")
    .addEdge("check", "review")
    .addConditionalEdges("review", (s) => (s.decision?.approved ? "yes" : "no"), {
      yes: "book",
      no: "refuse",
    })
    .addEdge("book", END)
    .addEdge("refuse", END)
    .compile({ store, name: "refund-review" });
}

const TourState = defineState({
  cities: value<string[]>([]),
  reports: append<string>(),
});

/** START -> plan -> one `visit` per city (Send, payload `{ city }`) -> END. */
export function tourGraph(store: Store) {
  return new StateGraph(TourState)
    .addNode("plan", () => ({}))
    .addNode("visit", (_s, c) => ({ reports: `visited ${(c.input as { city: string }).city}` }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", (s) => s.cities.map((city) => new Send("visit", { city })))
    .addEdge("visit", END)
    .compile({ store, name: "tour" });
}

const ParcelState = defineState({
  parcel: value(""),
  delivered: value<unknown>(null),
});

/** START -> ship -> await (waits for the event "delivered", up to a minute) -> END. */
export function parcelGraph(store: Store) {
  return new StateGraph(ParcelState)
    .addNode("ship", () => ({}))
    .addNode("await", async (_s, c) => {
      const got = await c.waitForEvent("delivered", { timeoutMs: 60_000 });
      return { delivered: got.timedOut ? "timed out" : got.payload };
    })
    .addEdge(START, "ship")
    .addEdge("ship", "await")
    .addEdge("await", END)
    .compile({ store, name: "parcel" });
}
