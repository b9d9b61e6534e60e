import { describe, expect, it } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { engineStores } from "../helpers/engine-stores.js";

const stores = engineStores("thread");

const Chat = defineState({ messages: append<string>(), turns: value(0), ask: value(false) });

/** START -> reply -> END: answers the last message, counting turns; pauses when `ask` is set. */
function chat(store: Store, name = "chat") {
  return new StateGraph(Chat)
    .addNode("reply", (s, ctx) => {
      if (s.ask) ctx.interrupt("confirm?");
      return { messages: `echo: ${s.messages.at(-1)}`, turns: s.turns + 1, ask: false };
    })
    .addEdge(START, "reply")
    .addEdge("reply", END)
    .compile({ store, name });
}

describe.each(stores)("threads (%s)", (_name, makeStore) => {
  it("a thread of 5 runs accumulates messages: each run starts from where the last ended", async () => {
    const store = makeStore();
    const graph = chat(store);
    for (let i = 1; i <= 5; i++) await graph.invoke({ messages: `m${i}` }, { threadId: "t1" });
    const { state, run } = await graph.getState({ threadId: "t1" });
    expect(state.turns).toBe(5);
    expect(state.messages).toEqual([
      "m1",
      "echo: m1",
      "m2",
      "echo: m2",
      "m3",
      "echo: m3",
      "m4",
      "echo: m4",
      "m5",
      "echo: m5",
    ]);
    expect(run.thread).toBe("t1");
    const runs = await store.listRuns({ thread: "t1" });
    expect(runs).toHaveLength(5);
    // Another thread starts afresh.
    expect((await graph.invoke({ messages: "hello" }, { threadId: "t2" })).messages).toEqual([
      "hello",
      "echo: hello",
    ]);
  });

  it("new input on a thread whose last run is paused starts from that run's last checkpoint; the paused run stays resumable", async () => {
    const store = makeStore();
    const graph = chat(store);
    await graph.invoke({ messages: "hi" }, { threadId: "t" });
    const paused = await graph.run({ messages: "are you sure?", ask: true }, { threadId: "t", runId: "p" });
    expect(paused.status).toBe("interrupted");
    const next = await graph.run({ messages: "never mind", ask: false }, { threadId: "t" });
    // Seeded from the paused run's checkpoint 0: its input is there, its unfinished reply is not.
    expect(next.state.messages).toEqual([
      "hi",
      "echo: hi",
      "are you sure?",
      "never mind",
      "echo: never mind",
    ]);
    expect(next.state.turns).toBe(2);
    expect((await graph.resume("p", "yes")).status).toBe("completed");
  });

  it("refuses a thread of another workflow, and an empty thread id, before anything is stored", async () => {
    const store = makeStore();
    await chat(store, "chat").invoke({ messages: "x" }, { threadId: "shared" });
    await expect(
      chat(store, "other").run({ messages: "y" }, { threadId: "shared", runId: "o" }),
    ).rejects.toMatchObject({
      code: "RUN_CONFLICT",
    });
    await expect(chat(store).run({}, { threadId: "", runId: "e" })).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
    expect(await store.getRun("o")).toBeUndefined();
    expect(await store.getRun("e")).toBeUndefined();
    await expect(chat(store).getState({ threadId: "none" })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });
});
