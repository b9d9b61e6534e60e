import { expect, it } from "vitest";
import type { Store } from "../../../src/engine/store.js";
import { append, defineState, END, reduce, START, StateGraph, value } from "../../../src/index.js";
import { crashed, deferred, dyingStore, uid, until } from "./helpers.js";

const sum = () => reduce<number>((a, b) => a + b, 0);

/** Step 1: `a` (instant) and `b` (waits for `release`) in parallel; step 2: `c` after both. */
function fanIn(store: Store, calls: Record<string, string[]>, release: () => Promise<void>) {
  const S = defineState({ log: append<string>(), total: sum() });
  const node =
    (name: string, wait?: () => Promise<void>) => async (_: unknown, ctx: { idempotencyKey: string }) => {
      calls[name] = [...(calls[name] ?? []), ctx.idempotencyKey];
      if (wait) await wait();
      return { log: name, total: name.charCodeAt(0) };
    };
  return new StateGraph(S)
    .addNode("a", node("a"))
    .addNode("b", node("b", release))
    .addNode("c", node("c"))
    .addEdge(START, "a")
    .addEdge(START, "b")
    .addEdge(["a", "b"], "c")
    .addEdge("c", END)
    .compile({ store, name: "fan-in" });
}

/** What the engine promises about storage: see design.md, "Durability contract". */
export function durabilityContract(store: () => Store): void {
  it("treats a caller-supplied run id as an idempotency key: starting it again runs nothing", async () => {
    const calls: Record<string, string[]> = {};
    const graph = fanIn(store(), calls, async () => undefined);
    const runId = uid();
    const first = await graph.run({ total: 1 }, { runId });
    expect(first).toMatchObject({ runId, status: "completed" });
    const second = await graph.run({ total: 1000 }, { runId });
    expect(second).toMatchObject({ runId, status: "completed", state: first.state });
    expect(second.state.total).toBe(1 + 97 + 98 + 99);
    expect(Object.values(calls).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(await store().listRuns({ graph: "fan-in" })).toHaveLength(1);
    expect((await store().getRun(runId))!.input).toEqual({ total: 1 });
  });

  it("writes a checkpoint after every step, and moves the run's step with it", async () => {
    const S = defineState({ n: value(0) });
    const graph = new StateGraph(S)
      .addNode("one", (s) => ({ n: s.n + 1 }))
      .addNode("two", (s) => ({ n: s.n + 1 }))
      .addNode("three", (s) => ({ n: s.n + 1 }))
      .addEdge(START, "one")
      .addEdge("one", "two")
      .addEdge("two", "three")
      .addEdge("three", END)
      .compile({ store: store(), name: "chain" });
    const { runId, steps } = await graph.run({});
    expect(steps).toBe(3);
    const checkpoints = await store().listCheckpoints(runId);
    expect(checkpoints.map((c) => [c.step, c.next.map((t) => t.node)])).toEqual([
      [0, ["one"]],
      [1, ["two"]],
      [2, ["three"]],
      [3, []],
    ]);
    expect((await store().getRun(runId))!.step).toBe(3);
    // State is never stored whole: each step stores only its node's write.
    const writes = (await store().listTasks(runId)).map((r) => r.writes);
    expect(writes).toEqual([[], [["n", 1]], [["n", 2]], [["n", 3]]]);
  });

  it("stores only the appended items of an append channel, never the whole list again", async () => {
    const S = defineState({ items: append<string>() });
    const graph = new StateGraph(S)
      .addNode("add", (s) => ({ items: `item-${s.items.length}-${"x".repeat(100)}` }))
      .addConditionalEdges("add", (s) => (s.items.length < 31 ? "add" : END))
      .addEdge(START, "add")
      .compile({ store: store(), name: "append" });
    const { runId, state } = await graph.run({ items: ["seed"] });
    expect(state.items).toHaveLength(31);
    const records = (await store().listTasks(runId)).filter((r) => r.node === "add");
    expect(records).toHaveLength(30);
    expect(records.map((r) => r.writes)).toEqual(
      records.map((_, i) => [["items", `item-${i + 1}-${"x".repeat(100)}`]]),
    );
    const sizes = records.map((r) => JSON.stringify(r).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(10);
    for (const c of await store().listCheckpoints(runId)) expect(JSON.stringify(c)).not.toContain("xxxx");
  });

  it("stores each node's writes the moment it finishes, while its siblings still run", async () => {
    const calls: Record<string, string[]> = {};
    const gate = deferred();
    const graph = fanIn(store(), calls, () => gate.promise);
    const runId = uid();
    const running = graph.run({}, { runId });
    await until(async () => (await store().listTasks(runId)).some((r) => r.node === "a"));
    const records = await store().listTasks(runId);
    expect(records.find((r) => r.node === "a")).toMatchObject({
      step: 1,
      status: "succeeded",
      writes: [
        ["log", "a"],
        ["total", 97],
      ],
    });
    expect(records.some((r) => r.node === "b")).toBe(false);
    expect((await store().listCheckpoints(runId)).map((c) => c.step)).toEqual([0]);
    gate.resolve();
    expect((await running).status).toBe("completed");
  });

  it("resumes after a crash without re-running finished nodes; the in-flight one reruns with the same key", async () => {
    const calls: Record<string, string[]> = {};
    const gate = deferred();
    const dying = dyingStore(store(), (method, arg) =>
      method === "putTask" && (arg as { node: string }).node === "b" ? "before" : undefined,
    );
    const runId = uid();
    void fanIn(dying, calls, () => gate.promise).run({ total: 5 }, { runId });
    await until(() => (calls.b?.length ?? 0) === 1);
    gate.resolve();
    await crashed(dying, runId);
    // What the crash left: the run still "running", a's writes stored, b's lost in flight.
    expect((await store().getRun(runId))!.status).toBe("running");
    expect((await store().listTasks(runId)).map((r) => r.node)).toEqual(["__input__", "a"]);
    const result = await fanIn(store(), calls, async () => undefined).resume(runId);
    expect(result).toMatchObject({
      status: "completed",
      state: { log: ["a", "b", "c"], total: 5 + 97 + 98 + 99 },
    });
    expect(calls.a).toEqual([`${runId}:a:1`]);
    expect(calls.b).toEqual([`${runId}:b:1`, `${runId}:b:1`]);
    expect(calls.c).toEqual([`${runId}:c:2`]);
  });

  // (A run cannot die before its first checkpoint: checkpoint 0 is stored with the run itself.)
  it("resumes a run that died between its steps, or before its last checkpoint", async () => {
    for (const [method, n] of [
      ["putCheckpoint", 2],
      ["putCheckpoint", 1],
    ] as const) {
      const calls: Record<string, string[]> = {};
      let seen = 0;
      const dying = dyingStore(store(), (m) => (m === method && ++seen === n ? "before" : undefined));
      const runId = uid();
      void fanIn(dying, calls, async () => undefined).run({}, { runId });
      await crashed(dying, runId);
      const result = await fanIn(store(), calls, async () => undefined).resume(runId);
      expect(result.state).toEqual({ log: ["a", "b", "c"], total: 97 + 98 + 99 });
      // Every node ran exactly once: none had finished-but-unstored work at these crash points.
      expect(calls).toEqual({ a: [`${runId}:a:1`], b: [`${runId}:b:1`], c: [`${runId}:c:2`] });
    }
  });

  it("stores retry attempts: after a crash the next attempt continues the count", async () => {
    const attempts: number[] = [];
    const S = defineState({ out: value("") });
    const build = (s: Store) =>
      new StateGraph(S)
        .addNode(
          "flaky",
          (_, ctx) => {
            attempts.push(ctx.attempt);
            if (ctx.attempt === 1) throw new Error("first try fails");
            return { out: `ok on ${ctx.attempt}` };
          },
          { retry: { attempts: 3, initialDelayMs: 30 } },
        )
        .addEdge(START, "flaky")
        .addEdge("flaky", END)
        .compile({ store: s, name: "retry" });
    const dying = dyingStore(store(), (m, arg) =>
      m === "putTask" && (arg as { status: string }).status === "retrying" ? "after" : undefined,
    );
    const runId = uid();
    void build(dying).run({}, { runId });
    await crashed(dying, runId);
    const stored = (await store().listTasks(runId)).find((r) => r.node === "flaky")!;
    expect(stored).toMatchObject({ status: "retrying", attempts: 1, error: { message: "first try fails" } });
    expect(stored.nextDueAt).toBeGreaterThan(0);
    const result = await build(store()).resume(runId);
    expect(result.state.out).toBe("ok on 2");
    expect(attempts).toEqual([1, 2]);
    const done = (await store().listTasks(runId)).find((r) => r.node === "flaky")!;
    expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(done.history?.map((h) => h.attempt)).toEqual([1, 2]);
  });

  it("resumes a crashed compensation without repeating the undos that finished", async () => {
    const undone: string[] = [];
    const S = defineState({ log: append<string>() });
    const build = (s: Store) =>
      new StateGraph(S)
        .addNode("book", () => ({ log: "book" }), { compensate: () => void undone.push("book") })
        .addNode("pay", () => ({ log: "pay" }), { compensate: () => void undone.push("pay") })
        .addNode("ship", () => {
          throw new Error("no truck");
        })
        .addEdge(START, "book")
        .addEdge("book", "pay")
        .addEdge("pay", "ship")
        .addEdge("ship", END)
        .compile({ store: s, name: "saga" });
    const dying = dyingStore(store(), (m) => (m === "putCompensation" ? "after" : undefined));
    const runId = uid();
    void build(dying).run({}, { runId });
    await crashed(dying, runId);
    expect((await store().getRun(runId))!.status).toBe("compensating");
    expect(undone).toEqual(["pay"]);
    const result = await build(store()).resume(runId);
    expect(result.status).toBe("compensated");
    expect(undone).toEqual(["pay", "book"]);
    expect((await store().listCompensations(runId)).map((c) => [c.node, c.status])).toEqual([
      ["pay", "done"],
      ["book", "done"],
    ]);
  });

  it("records the graph's structure hash and refuses to resume with a changed graph unless forced", async () => {
    const S = defineState({ answer: value(""), extra: value(false) });
    const original = new StateGraph(S)
      .addNode("ask", (_, ctx) => ({ answer: ctx.interrupt<string>("question?") }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ store: store(), name: "hash" });
    const changed = new StateGraph(S)
      .addNode("ask", (_, ctx) => ({ answer: ctx.interrupt<string>("question?") }))
      .addNode("more", () => ({ extra: true }))
      .addEdge(START, "ask")
      .addEdge("ask", "more")
      .addEdge("more", END)
      .compile({ store: store(), name: "hash" });
    expect(changed.hash).not.toBe(original.hash);
    const { runId, status } = await original.run({});
    expect(status).toBe("interrupted");
    expect((await store().getRun(runId))!.graphHash).toBe(original.hash);
    await expect(changed.resume(runId, "yes")).rejects.toMatchObject({
      code: "GRAPH_CHANGED",
      message: expect.stringContaining("force"),
    });
    expect((await store().getRun(runId))!.status).toBe("interrupted");
    const forced = await changed.resume(runId, "yes", { force: true });
    expect(forced).toMatchObject({ status: "completed", state: { answer: "yes", extra: true } });
    expect((await store().getRun(runId))!.graphHash).toBe(changed.hash);
  });
}
