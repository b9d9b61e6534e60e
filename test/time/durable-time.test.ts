import { describe, expect, it } from "vitest";
import { z } from "zod";
import { signalRun } from "../../src/engine/signal-run.js";
import type { Store } from "../../src/engine/store.js";
import { BatonError } from "../../src/errors.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { engineStores } from "../helpers/engine-stores.js";

const stores = engineStores("time");

const State = defineState({ log: append<string>(), reply: value<unknown>(null) });

/** Polls until `check` holds: the state a test asserts, not a fixed delay. */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** START -> work (once, then sleeps `ms`) -> after -> END, counting what really ran. */
function sleeper(store: Store, ms: number, ledger: string[]) {
  return new StateGraph(State)
    .addNode("work", async (_s, ctx) => {
      const sent = await ctx.once("send", () => {
        ledger.push("send");
        return "sent";
      });
      await ctx.sleep(ms);
      ledger.push("after-sleep");
      return { log: `work:${sent}` };
    })
    .addNode("after", () => ({ log: "after" }))
    .addEdge(START, "work")
    .addEdge("work", "after")
    .addEdge("after", END)
    .compile({ store, name: "sleeper" });
}

/** START -> wait (for "reply", with a timeout) -> END. */
function waiter(store: Store, timeoutMs?: number) {
  return new StateGraph(State)
    .addNode("wait", async (_s, ctx) => {
      const got = await ctx.waitForEvent("reply", {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        schema: z.object({ text: z.string() }),
      });
      return got.timedOut ? { log: "timed out" } : { log: "replied", reply: got.payload.text };
    })
    .addEdge(START, "wait")
    .addEdge("wait", END)
    .compile({ store, name: "waiter" });
}

describe.each(stores)("durable time and events (%s)", (_name, makeStore) => {
  it("a sleeping run is stored and let go, then continues at its wake time without repeating once-work", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const graph = sleeper(store, 300, ledger);
    const started = Date.now();
    const first = await graph.run({}, { hold: 0 });
    expect(first.status).toBe("sleeping");
    const run = (await store.getRun(first.runId))!;
    expect(run.status).toBe("sleeping");
    expect(run.owner).toBeUndefined();
    expect(run.wakeAt).toBeGreaterThanOrEqual(started + 300);
    expect(run.waits).toEqual([expect.objectContaining({ kind: "sleep", node: "work", until: run.wakeAt })]);
    // Not due yet: nothing to drive.
    expect(await store.listDue(Date.now(), { runId: run.id })).toEqual([]);
    const due = await until(
      () => store.listDue(Date.now(), { runId: run.id }),
      (d) => d.length === 1,
    );
    expect(due.map((r) => r.id)).toEqual([run.id]);
    const done = await graph.resume(run.id);
    expect(done.status).toBe("completed");
    expect(done.state.log).toEqual(["work:sent", "after"]);
    expect(ledger).toEqual(["send", "after-sleep"]);
    const types = (await graph.events(run.id)).map((e) => e.type);
    expect(types).toContain("wait_started");
    expect(types).toContain("woke");
  });

  it("a call that holds the run waits in-process and drives it at its wake time", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const started = Date.now();
    const result = await sleeper(store, 200, ledger).run({});
    expect(result.status).toBe("completed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(ledger).toEqual(["send", "after-sleep"]);
  });

  it("an event sent before the wait is kept and delivered once", async () => {
    const store = makeStore();
    const graph = waiter(store);
    const run = await graph.run({}, { startAt: Date.now() + 60_000, hold: 0, runId: "early" });
    expect(run.status).toBe("pending");
    await graph.signal("early", "reply", { text: "hi" });
    const done = await graph.resume("early");
    expect(done.status).toBe("completed");
    expect(done.state.reply).toBe("hi");
    const types = (await graph.events("early")).map((e) => e.type);
    expect(types.filter((t) => t === "event_received")).toHaveLength(1);
  });

  it("an event sent while the run waits wakes the call holding it", async () => {
    const store = makeStore();
    const graph = waiter(store);
    const pending = graph.run({}, { runId: "during" });
    await until(
      () => store.getRun("during"),
      (r) => r?.status === "waiting",
    );
    expect((await store.getRun("during"))!.waits).toEqual([
      expect.objectContaining({ kind: "event", event: "reply", node: "wait" }),
    ]);
    await graph.signal("during", "reply", { text: "yes" });
    const done = await pending;
    expect(done.status).toBe("completed");
    expect(done.state.reply).toBe("yes");
  });

  it("a wait with a timeout returns a timeout result when nothing comes, and a late event is not taken", async () => {
    const store = makeStore();
    const graph = waiter(store, 150);
    const done = await graph.run({}, { runId: "quiet" });
    expect(done.status).toBe("completed");
    expect(done.state.log).toEqual(["timed out"]);
    await expect(graph.signal("quiet", "reply", { text: "late" })).rejects.toMatchObject({
      code: "RUN_STATE",
    });
  });

  it("refuses a payload the waiting node's schema rejects, keeping nothing", async () => {
    const store = makeStore();
    const graph = waiter(store);
    const first = await graph.run({}, { runId: "strict", hold: 0 });
    expect(first.status).toBe("waiting");
    const error = await graph.signal("strict", "reply", { text: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe("INPUT_INVALID");
    expect((error as Error).message).toContain("text");
    expect(await store.listDue(Date.now(), { runId: "strict" })).toEqual([]);
    expect((await graph.events("strict")).map((e) => e.type)).not.toContain("event_sent");
  });

  it("refuses events for unknown runs and bad names", async () => {
    const store = makeStore();
    await expect(signalRun(store, "nope", "reply", {})).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    const graph = waiter(store);
    await graph.run({}, { runId: "named", hold: 0 });
    await expect(signalRun(store, "named", "", {})).rejects.toMatchObject({ code: "INPUT_INVALID" });
  });

  it("a delayed start is stored pending until its time; a time in the past is refused before anything is stored", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const graph = sleeper(store, 0, ledger);
    await expect(graph.run({}, { runId: "past", startAt: Date.now() - 1000 })).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
    expect(await store.getRun("past")).toBeUndefined();
    const at = Date.now() + 150;
    const later = await graph.run({}, { runId: "later", startAt: at });
    expect(later.status).toBe("completed");
    expect(ledger).toEqual(["send", "after-sleep"]);
    const types = (await graph.events("later")).map((e) => e.type);
    expect(types).toContain("woke");
  });

  it("a node that changes its durable calls between runs fails with a clear error", async () => {
    const store = makeStore();
    let calls = 0;
    const graph = new StateGraph(State)
      .addNode("fickle", async (_s, ctx) => {
        calls += 1;
        if (calls === 1) await ctx.sleep(50);
        else await ctx.once("other", () => 1);
        return { log: "done" };
      })
      .addEdge(START, "fickle")
      .addEdge("fickle", END)
      .compile({ store, name: "fickle" });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("durable calls in another order");
  });

  it("cancelling a sleeping run ends it", async () => {
    const store = makeStore();
    const graph = sleeper(store, 60_000, []);
    const first = await graph.run({}, { hold: 0 });
    await graph.cancel(first.runId);
    const run = (await store.getRun(first.runId))!;
    expect(run.status).toBe("cancelled");
    expect(run.wakeAt).toBeUndefined();
    expect(run.waits).toBeUndefined();
  });
});

describe("durable time without a store", () => {
  it("sleep just waits; waitForEvent is a clear error", async () => {
    const ledger: string[] = [];
    const graph = sleeper(false as unknown as Store, 30, ledger);
    expect((await graph.run({})).status).toBe("completed");
    const result = await waiter(false as unknown as Store).run({});
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("store: false");
  });
});
