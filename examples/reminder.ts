import { defineState, END, START, StateGraph, value } from "baton";
import { z } from "zod";

/**
 * "Send a note, wait, then remind unless the customer replied": a sleep, then a wait for a `reply`
 * event with a timeout. Durable: kill the process at any point and `baton worker` (or `baton serve`)
 * carries on at the right time, without sending the note twice.
 */
const State = defineState({
  customer: value("ada@example.com"),
  waitMs: value(2_000), // 3 days in real life: 3 * 24 * 3600 * 1000
  replyWithinMs: value(30_000),
  outcome: value(""),
});

const graph = new StateGraph(State)
  .addNode("send_note", async (s, ctx) => {
    // `once`: stored with the task, so it does not run again when the node continues after the sleep.
    await ctx.once("email", () => console.log(`emailing ${s.customer} (key ${ctx.idempotencyKey})`));
    await ctx.sleep(s.waitMs); // the run is stored as `sleeping` and no process holds it
    const reply = await ctx.waitForEvent("reply", {
      timeoutMs: s.replyWithinMs,
      schema: z.object({ text: z.string() }),
    });
    return { outcome: reply.timedOut ? "no reply" : `replied: ${reply.payload.text}` };
  })
  .addNode("remind", (s) => ({ outcome: `${s.outcome}; reminder sent to ${s.customer}` }))
  .addEdge(START, "send_note")
  .addConditionalEdges("send_note", (s) => (s.outcome === "no reply" ? "remind" : END))
  .addEdge("remind", END)
  .compile({ name: "reminder" });

export default graph;
