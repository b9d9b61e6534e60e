import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { NodeTimeoutError } from "../../src/errors.js";
import type { NodeContext } from "../../src/graph/types.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { sleep } from "../engine/helpers.js";
import { append, defineState, END, START, StateGraph } from "../graph/core.js";

/**
 * Timeouts beyond test/engine/failures.test.ts: what a timed-out attempt's node sees and stops doing,
 * how the timeout is recorded (attempt history, events, the error key), and how retries and
 * compensation treat it.
 */
interface Failure {
  node: string;
  taskId: string;
  error: string;
  attempts: number;
  kind: string;
}
const State = defineState({ log: append<string>(), errors: append<Failure>() });
type Fn = (s: { log: string[] }, ctx: NodeContext) => Promise<{ log: string } | undefined>;

/** START -> slow -> END with a 20 ms timeout, 3 attempts 1 ms apart; returns the store to inspect. */
function single(fn: Fn, options: { onError?: "continue"; retryOn?: (e: Error) => boolean } = {}) {
  const store = new MemoryStore();
  const graph = new StateGraph(State, { errorKey: "errors" })
    .addNode("slow", fn, {
      timeout: 20,
      retry: { attempts: 3, initialDelayMs: 1, ...(options.retryOn ? { retryOn: options.retryOn } : {}) },
      ...(options.onError ? { onError: options.onError } : {}),
    })
    .addEdge(START, "slow")
    .addEdge("slow", END)
    .compile({ store });
  return { graph, store };
}

/** A node that works in 2 ms slices until its signal aborts; counts its slices per attempt. */
function worker(finishOn?: number) {
  const seen = { slices: [] as number[], signals: [] as AbortSignal[], abortedAtStart: [] as boolean[] };
  const fn: Fn = async (_s, ctx) => {
    seen.signals.push(ctx.signal);
    seen.abortedAtStart.push(ctx.signal.aborted);
    seen.slices[ctx.attempt - 1] = 0;
    if (ctx.attempt === finishOn) return { log: `done on ${ctx.attempt}` };
    while (!ctx.signal.aborted) {
      seen.slices[ctx.attempt - 1]! += 1;
      await sleep(2);
    }
    return { log: `stopped on ${ctx.attempt}` };
  };
  return { fn, seen };
}

describe("a timed-out attempt", () => {
  it("is aborted through its own signal, stops working, and the next attempt starts with a fresh one", async () => {
    const { fn, seen } = worker(3);
    const { graph } = single(fn);
    const result = await graph.run({});
    expect(result).toMatchObject({ status: "completed", state: { log: ["done on 3"] } });
    expect(seen.abortedAtStart).toEqual([false, false, false]);
    expect(new Set(seen.signals).size).toBe(3);
    for (const signal of seen.signals.slice(0, 2)) {
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(NodeTimeoutError);
      expect(signal.reason).toMatchObject({ code: "NODE_TIMEOUT", node: "slow", timeoutMs: 20 });
    }
    // The attempts that timed out stopped working once aborted: no slice was added since.
    const slices = [...seen.slices];
    expect(slices[0]).toBeGreaterThan(0);
    await sleep(30);
    expect(seen.slices).toEqual(slices);
  });

  it("is recorded as a typed timeout in the attempt history and the retry events", async () => {
    const { fn } = worker(3);
    const { graph, store } = single(fn);
    const events: RunEvent[] = [];
    const result = await graph.run({}, { runId: "t", onEvent: (e) => events.push(e) });
    expect(result.status).toBe("completed");
    const record = (await store.listTasks("t")).find((r) => r.node === "slow")!;
    expect(record).toMatchObject({ status: "succeeded", attempts: 3 });
    const timeout = {
      name: "NodeTimeoutError",
      code: "NODE_TIMEOUT",
      node: "slow",
      message: 'Node "slow" timed out after 20 ms',
    };
    expect(record.history?.map((h) => h.error)).toEqual([timeout, timeout, undefined]);
    const retries = events.flatMap((e) => (e.type === "node_retrying" ? [[e.attempt, e.error.code]] : []));
    expect(retries).toEqual([
      [1, "NODE_TIMEOUT"],
      [2, "NODE_TIMEOUT"],
    ]);
  });

  it("that ignores its signal cannot write its late result into the state", async () => {
    const lateWrites: number[] = [];
    const { graph, store } = single(async (_s, ctx) => {
      if (ctx.attempt > 1) return { log: "on time" };
      await sleep(60); // ignores the abort at 20 ms
      lateWrites.push(ctx.attempt);
      return { log: "late" };
    });
    const result = await graph.run({}, { runId: "late" });
    expect(result.state.log).toEqual(["on time"]);
    await sleep(80);
    expect(lateWrites).toEqual([1]); // it did finish, after its attempt was given up
    expect((await graph.getState("late")).state.log).toEqual(["on time"]);
    expect((await store.listTasks("late")).find((r) => r.node === "slow")?.writes).toEqual([
      ["log", "on time"],
    ]);
  });

  it("is not retried when retryOn refuses timeouts", async () => {
    const { fn, seen } = worker();
    const { graph } = single(fn, { retryOn: (e) => !(e instanceof NodeTimeoutError) });
    const result = await graph.run({});
    expect(result.error).toMatchObject({
      code: "NODE_FAILED",
      message: 'Node "slow" failed: Node "slow" timed out after 20 ms',
    });
    expect(seen.signals).toHaveLength(1);
  });
});

describe("a node that times out for good", () => {
  it('is listed with kind "timeout" and its attempts under onError "continue", its siblings unharmed', async () => {
    const { fn, seen } = worker();
    let siblingSignal: AbortSignal | undefined;
    const graph = new StateGraph(State, { errorKey: "errors" })
      .addNode("slow", fn, { timeout: 20, retry: { attempts: 3, initialDelayMs: 1 }, onError: "continue" })
      .addNode("steady", async (_s, ctx) => {
        siblingSignal = ctx.signal;
        await sleep(100); // outlives all three timed-out attempts
        return { log: "steady" };
      })
      .addNode("join", (s) => ({ log: `join: ${s.log.length} ok, ${s.errors.length} failed` }))
      .addEdge(START, "slow")
      .addEdge(START, "steady")
      .addEdge(["slow", "steady"], "join")
      .addEdge("join", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({});
    expect(result.status).toBe("completed");
    expect(result.state.errors).toEqual([
      {
        node: "slow",
        taskId: "slow",
        error: 'Node "slow" timed out after 20 ms',
        attempts: 3,
        kind: "timeout",
      },
    ]);
    expect(result.state.log).toEqual(["steady", "join: 1 ok, 1 failed"]);
    expect(seen.signals.map((s) => s.aborted)).toEqual([true, true, true]);
    expect(siblingSignal?.aborted).toBe(false);
  });

  it('is listed with kind "error" when its last attempt failed otherwise', async () => {
    const { graph } = single(
      async (_s, ctx) => {
        if (ctx.attempt < 3) await sleep(60);
        throw new Error(`attempt ${ctx.attempt} broke`);
      },
      { onError: "continue" },
    );
    const result = await graph.run({});
    expect(result.state.errors).toEqual([
      { node: "slow", taskId: "slow", error: "attempt 3 broke", attempts: 3, kind: "error" },
    ]);
  });

  it("fails the run and compensates the steps before it", async () => {
    const undone: string[] = [];
    const { fn } = worker();
    const graph = new StateGraph(State)
      .addNode("book", () => ({ log: "book" }), { compensate: () => void undone.push("book") })
      .addNode("slow", fn, { timeout: 20, retry: { attempts: 2, initialDelayMs: 1 } })
      .addEdge(START, "book")
      .addEdge("book", "slow")
      .addEdge("slow", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({});
    expect(result).toMatchObject({
      status: "compensated",
      error: {
        code: "NODE_FAILED",
        node: "slow",
        message: 'Node "slow" failed after 2 attempts: Node "slow" timed out after 20 ms',
      },
    });
    expect(undone).toEqual(["book"]);
  });
});
