import { expect, it } from "vitest";
import type { NewRun, TaskRecord, WaitInfo } from "../../../src/engine/records.js";
import type { Store } from "../../../src/engine/store.js";

const newRun = (id: string, over: Partial<NewRun> = {}): NewRun => ({
  id,
  graph: "g",
  graphHash: "h",
  status: "running",
  input: {},
  ...over,
});

const eventWait = (event: string, until?: number): WaitInfo => ({
  taskId: "wait",
  node: "wait",
  step: 1,
  kind: "event",
  event,
  ...(until !== undefined ? { until } : {}),
});

/** Durable time and events: wake times, due runs, events kept and taken once per wait. */
export function timeEventsContract(current: () => Store): void {
  it("stores a run's waits and wake time, clears them, and lists it due only when its time came and nobody holds it", async () => {
    const store = current();
    const now = Date.now();
    await store.createRun(newRun("s"));
    const sleep: WaitInfo = { taskId: "n", node: "n", step: 1, kind: "sleep", until: now + 60_000 };
    await store.updateRun("s", { status: "sleeping", waits: [sleep], wakeAt: now + 60_000 });
    const run = (await store.getRun("s"))!;
    expect(run.waits).toEqual([sleep]);
    expect(run.wakeAt).toBe(now + 60_000);
    expect(run.owner).toBeUndefined();
    expect(await store.listDue(now)).toEqual([]);
    // Due: its time came. The store's own clock decides on PostgreSQL, so a time in the past.
    await store.updateRun("s", { wakeAt: now - 1_000 });
    expect((await store.listDue(Date.now())).map((r) => r.id)).toEqual(["s"]);
    expect((await store.listDue(Date.now(), { runId: "other" })).map((r) => r.id)).toEqual([]);
    // Held: not due for anyone else.
    const taken = await store.acquireRun("s", { id: "me", leaseMs: 60_000 });
    expect(taken.acquired).toBe(true);
    expect(await store.listDue(Date.now())).toEqual([]);
    await store.updateRun("s", { status: "running", clear: ["waits", "wakeAt"] });
    const cleared = (await store.getRun("s"))!;
    expect(cleared.waits).toBeUndefined();
    expect(cleared.wakeAt).toBeUndefined();
  });

  it("keeps a delayed start's time, and a pending run is due once it passed", async () => {
    const store = current();
    await store.createRun(newRun("later", { status: "pending", wakeAt: Date.now() + 60_000 }));
    await store.createRun(newRun("now", { status: "pending", wakeAt: Date.now() - 1_000 }));
    expect((await store.getRun("later"))!.wakeAt).toBeGreaterThan(Date.now());
    expect((await store.listDue(Date.now())).map((r) => r.id)).toEqual(["now"]);
  });

  it("keeps events until a wait takes one; each event goes to one wait, once; a timeout is kept", async () => {
    const store = current();
    await store.createRun(newRun("e"));
    const first = await store.sendEvent({ runId: "e", name: "reply", payload: { n: 1 }, by: { via: "cli" } });
    const second = await store.sendEvent({ runId: "e", name: "reply", payload: { n: 2 } });
    expect(second).toBeGreaterThan(first);
    const a = await store.takeEvent("e", "reply", "1:wait:0", false);
    expect(a).toMatchObject({ kind: "event", payload: { n: 1 }, fresh: true });
    // The same wait asking again gets the same event, not fresh; another wait gets the next one.
    expect(await store.takeEvent("e", "reply", "1:wait:0", false)).toMatchObject({
      kind: "event",
      payload: { n: 1 },
    });
    expect((await store.takeEvent("e", "reply", "1:wait:0", false))?.fresh).toBeUndefined();
    expect(await store.takeEvent("e", "reply", "2:wait:0", false)).toMatchObject({ payload: { n: 2 } });
    expect(await store.takeEvent("e", "reply", "3:wait:0", false)).toBeUndefined();
    const timeout = await store.takeEvent("e", "reply", "3:wait:0", true);
    expect(timeout).toMatchObject({ kind: "timeout", fresh: true });
    await store.sendEvent({ runId: "e", name: "reply", payload: { n: 3 } });
    expect((await store.takeEvent("e", "reply", "3:wait:0", false))?.kind).toBe("timeout");
    expect(await store.takeEvent("e", "other", "4:wait:0", false)).toBeUndefined();
  });

  it("lists a waiting run due when an event it waits for is kept, and not for another name", async () => {
    const store = current();
    await store.createRun(newRun("w"));
    await store.updateRun("w", { status: "waiting", waits: [eventWait("reply")] });
    await store.sendEvent({ runId: "w", name: "noise", payload: null });
    expect(await store.listDue(Date.now())).toEqual([]);
    await store.sendEvent({ runId: "w", name: "reply", payload: "yes" });
    expect((await store.listDue(Date.now())).map((r) => r.id)).toEqual(["w"]);
    await store.takeEvent("w", "reply", "1:wait:0", false);
    expect(await store.listDue(Date.now())).toEqual([]);
  });

  it("refuses events for unknown and finished runs", async () => {
    const store = current();
    await expect(store.sendEvent({ runId: "ghost", name: "x", payload: 1 })).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
    await store.createRun(newRun("f"));
    await store.updateRun("f", { status: "completed" });
    await expect(store.sendEvent({ runId: "f", name: "x", payload: 1 })).rejects.toMatchObject({
      code: "RUN_STATE",
    });
  });

  it("keeps a waiting task's journal and wait with its record", async () => {
    const store = current();
    await store.createRun(newRun("j"));
    const record: TaskRecord = {
      runId: "j",
      step: 1,
      taskId: "wait",
      node: "wait",
      status: "waiting",
      attempts: 0,
      seq: 0,
      startedAt: 1,
      finishedAt: 2,
      journal: [
        { kind: "once", name: "send", value: { id: 7 } },
        { kind: "sleep", until: 5 },
        { kind: "event", event: "reply", until: 9 },
      ],
      wait: eventWait("reply", 9),
    };
    await store.putTask(record);
    expect(await store.listTasks("j")).toEqual([record]);
  });

  it("finds a thread's runs, newest first", async () => {
    const store = current();
    await store.createRun(newRun("t1", { thread: "chat" }));
    await store.createRun(newRun("t2", { thread: "chat" }));
    await store.createRun(newRun("x", { thread: "other" }));
    expect((await store.listRuns({ thread: "chat" })).map((r) => r.id)).toEqual(["t2", "t1"]);
    expect((await store.getRun("t1"))!.thread).toBe("chat");
  });
}
