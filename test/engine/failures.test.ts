import { describe, expect, it } from "vitest";
import { RunFailedError } from "../../src/engine/compiled.js";
import { NodeTimeoutError, NonRetryableError } from "../../src/errors.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { aborted, collect, nodesOf } from "./helpers.js";

interface Failure {
  node: string;
  taskId: string;
  error: string;
  attempts: number;
  kind: string;
}
const State = defineState({ log: append<string>(), errors: append<Failure>(), n: value(0) });

/** START -> flaky -> END, with `flaky` running `fn`. */
type AddNode = StateGraph<typeof State.channels>["addNode"];
function single(fn: Parameters<AddNode>[1], options: Parameters<AddNode>[2] = {}) {
  return new StateGraph(State, { errorKey: "errors" })
    .addNode("flaky", fn, options)
    .addEdge(START, "flaky")
    .addEdge("flaky", END)
    .compile({ store: new MemoryStore() });
}

describe("a node that throws", () => {
  it("fails the run with the node's name and the cause", async () => {
    const graph = single(() => {
      throw new Error("disk on fire");
    });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({
      name: "NodeFailedError",
      code: "NODE_FAILED",
      node: "flaky",
      message: 'Node "flaky" failed: disk on fire',
    });
    const error = await graph.invoke({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).message).toMatch(/ended failed: Node "flaky" failed: disk on fire$/);
    expect((error as RunFailedError).result.error?.node).toBe("flaky");
  });

  it("fails the run when it rejects with a non-Error", async () => {
    const result = await single(async () => Promise.reject("plain string")).run({});
    expect(result.error?.message).toBe('Node "flaky" failed: plain string');
  });

  it("lets its siblings in the step finish and records them", async () => {
    const store = new MemoryStore();
    const graph = new StateGraph(State)
      .addNode("ok", () => ({ log: "ok" }))
      .addNode("bad", () => {
        throw new Error("nope");
      })
      .addEdge(START, "ok")
      .addEdge(START, "bad")
      .addEdge("ok", END)
      .addEdge("bad", END)
      .compile({ store });
    const events = await collect(graph.stream({}, { runId: "r" }));
    expect(nodesOf(events, "node_succeeded")).toEqual(["ok"]);
    expect(events.find((e) => e.type === "node_failed")).toMatchObject({ node: "bad", attempts: 1 });
    const tasks = await store.listTasks("r");
    expect(tasks.map((t) => [t.taskId, t.status])).toContainEqual(["ok", "succeeded"]);
    expect(tasks.map((t) => [t.taskId, t.status])).toContainEqual(["bad", "failed"]);
    expect((await store.getRun("r"))?.status).toBe("failed");
  });
});

describe("retry", () => {
  it("retries with backoff until an attempt succeeds, under one idempotency key", async () => {
    const seen: Array<[number, string]> = [];
    const graph = single(
      (_s, ctx) => {
        seen.push([ctx.attempt, ctx.idempotencyKey]);
        if (ctx.attempt < 3) throw new Error(`try ${ctx.attempt}`);
        return { log: "done" };
      },
      { retry: { attempts: 3, initialDelayMs: 1, backoffFactor: 2 } },
    );
    const events = await collect(graph.stream({}, { runId: "r" }));
    expect(seen.map(([a]) => a)).toEqual([1, 2, 3]);
    expect(new Set(seen.map(([, key]) => key))).toEqual(new Set(["r:flaky:1"]));
    const retrying = events.flatMap((e) => (e.type === "node_retrying" ? [[e.attempt, e.delayMs]] : []));
    expect(retrying).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "completed" });
  });

  it("gives up after the last attempt, saying how many there were", async () => {
    let calls = 0;
    const result = await single(
      () => {
        calls++;
        throw new Error("still down");
      },
      { retry: { attempts: 2, initialDelayMs: 1 } },
    ).run({});
    expect(calls).toBe(2);
    expect(result.error?.message).toBe('Node "flaky" failed after 2 attempts: still down');
  });

  it("never retries a NonRetryableError, nor errors retryOn refuses", async () => {
    let calls = 0;
    const fatal = single(
      () => {
        calls++;
        throw new NonRetryableError("bad request");
      },
      { retry: { attempts: 5, initialDelayMs: 1 } },
    );
    expect((await fatal.run({})).status).toBe("failed");
    expect(calls).toBe(1);
    calls = 0;
    const picky = single(
      () => {
        calls++;
        throw new TypeError("a bug, not an outage");
      },
      { retry: { attempts: 5, initialDelayMs: 1, retryOn: (e) => !(e instanceof TypeError) } },
    );
    expect((await picky.run({})).status).toBe("failed");
    expect(calls).toBe(1);
  });

  it("uses the graph-wide retry policy for nodes that set none", async () => {
    let calls = 0;
    const graph = new StateGraph(State)
      .addNode("flaky", () => {
        calls++;
        if (calls < 2) throw new Error("once");
        return { n: calls };
      })
      .addEdge(START, "flaky")
      .addEdge("flaky", END)
      .compile({ store: false, retry: { attempts: 2, initialDelayMs: 1 } });
    expect((await graph.invoke({})).n).toBe(2);
  });
});

describe("timeout", () => {
  it("aborts the attempt's signal and fails the node with a timeout error", async () => {
    let signal: AbortSignal | undefined;
    const graph = single(
      async (_s, ctx) => {
        signal = ctx.signal;
        await aborted(ctx.signal);
        return { log: "too late" };
      },
      { timeout: 20 },
    );
    const started = Date.now();
    const result = await graph.run({});
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.error?.message).toBe('Node "flaky" failed: Node "flaky" timed out after 20 ms');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(NodeTimeoutError);
    expect(result.state.log).toEqual([]);
  });

  it("fails even a node that ignores its signal, and retries timed-out attempts", async () => {
    let calls = 0;
    const result = await single(
      async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return {};
      },
      { timeout: 10, retry: { attempts: 2, initialDelayMs: 1 } },
    ).run({});
    expect(calls).toBe(2);
    expect(result.error?.message).toContain("timed out after 10 ms");
  });
});

describe('onError: "continue"', () => {
  it("records the failure under the error key and lets the join proceed", async () => {
    const graph = new StateGraph(State, { errorKey: "errors" })
      .addNode("good", () => ({ log: "good" }))
      .addNode(
        "broken",
        () => {
          throw new Error("service down");
        },
        { onError: "continue" },
      )
      .addNode(
        "slow",
        async (_s, ctx) => {
          await aborted(ctx.signal);
          return {};
        },
        { onError: "continue", timeout: 10 },
      )
      .addNode("report", (s) => ({ log: `report: ${s.log.length} ok, ${s.errors.length} failed` }))
      .addEdge(START, "good")
      .addEdge(START, "broken")
      .addEdge(START, "slow")
      .addEdge(["good", "broken", "slow"], "report")
      .addEdge("report", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({});
    expect(result.status).toBe("completed");
    expect(result.state.log).toEqual(["good", "report: 1 ok, 2 failed"]);
    expect(result.state.errors).toEqual([
      { node: "broken", taskId: "broken", error: "service down", attempts: 1, kind: "error" },
      {
        node: "slow",
        taskId: "slow",
        error: 'Node "slow" timed out after 10 ms',
        attempts: 1,
        kind: "timeout",
      },
    ]);
    expect((await graph.getState(result.runId)).state).toEqual(result.state);
  });
});
