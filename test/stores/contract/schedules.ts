import { expect, it } from "vitest";
import type { Store } from "../../../src/engine/store.js";
import type { NewSchedule } from "../../../src/schedules/schedule.js";

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

const schedule = (name: string, over: Partial<NewSchedule> = {}): NewSchedule => ({
  name,
  workflow: "report",
  cron: "*/5 * * * *",
  tz: "Europe/Paris",
  input: { city: "Paris", nested: { list: [1, "two", null], flag: true } },
  overlap: "skip",
  catchUp: 1,
  paused: false,
  nextAt: T0,
  createdBy: { via: "cli", who: "sam@laptop" },
  ...over,
});

/** Schedules: stored whole, unique by name, and moved on by exactly one of several tick passes. */
export function scheduleContract(current: () => Store): void {
  it("stores a schedule whole and keeps the first of two with one name", async () => {
    const store = current();
    const first = await store.createSchedule(schedule("nightly"));
    expect(first.created).toBe(true);
    expect(first.schedule).toMatchObject({ ...schedule("nightly"), paused: false });
    expect(first.schedule.lastRunId).toBeUndefined();
    expect(first.schedule.createdAt).toBeGreaterThan(0);
    const again = await store.createSchedule(schedule("nightly", { cron: "0 * * * *", workflow: "other" }));
    expect(again.created).toBe(false);
    expect(again.schedule).toEqual(first.schedule);
    expect(await store.getSchedule("nightly")).toEqual(first.schedule);
    expect(await store.getSchedule("missing")).toBeUndefined();
  });

  it("keeps a schedule without input, creator or next tick as such", async () => {
    const store = current();
    const { input: _i, createdBy: _c, nextAt: _n, ...bare } = schedule("bare");
    await store.createSchedule({ ...bare, input: undefined });
    const got = await store.getSchedule("bare");
    expect(got?.input).toBeUndefined();
    expect(got?.createdBy).toBeUndefined();
    expect(got?.nextAt).toBeUndefined();
  });

  it("lists by name, and `dueBy` only running schedules whose tick has come", async () => {
    const store = current();
    await store.createSchedule(schedule("b-due", { nextAt: T0 - 1000 }));
    await store.createSchedule(schedule("a-later", { nextAt: T0 + 60_000 }));
    await store.createSchedule(schedule("c-paused", { nextAt: T0 - 5000, paused: true }));
    await store.createSchedule(schedule("d-exact", { nextAt: T0 }));
    const { nextAt: _n, ...ended } = schedule("e-ended");
    await store.createSchedule(ended);
    expect((await store.listSchedules()).map((s) => s.name)).toEqual([
      "a-later",
      "b-due",
      "c-paused",
      "d-exact",
      "e-ended",
    ]);
    expect((await store.listSchedules({ dueBy: T0 })).map((s) => s.name)).toEqual(["b-due", "d-exact"]);
  });

  it("patches pause, next tick and last run, and refuses nothing but an unknown name", async () => {
    const store = current();
    await store.createSchedule(schedule("p"));
    const paused = await store.updateSchedule("p", { paused: true });
    expect(paused).toMatchObject({ paused: true, nextAt: T0 });
    const resumed = await store.updateSchedule("p", { paused: false, nextAt: T0 + 300_000 });
    expect(resumed).toMatchObject({ paused: false, nextAt: T0 + 300_000 });
    const triggered = await store.updateSchedule("p", { lastRunId: "p:manual:x" });
    expect(triggered).toMatchObject({ paused: false, nextAt: T0 + 300_000, lastRunId: "p:manual:x" });
    expect(await store.getSchedule("p")).toEqual(triggered);
    expect(await store.updateSchedule("nobody", { paused: true })).toBeUndefined();
  });

  it("deletes a schedule once", async () => {
    const store = current();
    await store.createSchedule(schedule("gone"));
    expect(await store.deleteSchedule("gone")).toBe(true);
    expect(await store.deleteSchedule("gone")).toBe(false);
    expect(await store.getSchedule("gone")).toBeUndefined();
  });

  it("moves the next tick only from the tick the pass read (compare-and-set)", async () => {
    const store = current();
    await store.createSchedule(schedule("cas"));
    const skip = { tick: T0, reason: "overlap" as const, count: 1 };
    expect(
      await store.setScheduleTicked("cas", T0 - 1, { nextAt: T0 + 1, lastTickAt: T0, lastRunId: "x" }),
    ).toBe(false);
    expect(await store.getSchedule("cas")).toMatchObject({ nextAt: T0 });
    expect(
      await store.setScheduleTicked("cas", T0, { nextAt: T0 + 300_000, lastTickAt: T0, lastSkip: skip }),
    ).toBe(true);
    const moved = await store.getSchedule("cas");
    expect(moved).toMatchObject({ nextAt: T0 + 300_000, lastTickAt: T0, lastSkip: skip });
    expect(moved?.lastRunId).toBeUndefined();
    // A pass that started a run and skipped nothing keeps the last skip; one with no more ticks clears next.
    expect(
      await store.setScheduleTicked("cas", T0 + 300_000, { lastTickAt: T0 + 300_000, lastRunId: "cas:r" }),
    ).toBe(true);
    const ended = await store.getSchedule("cas");
    expect(ended).toMatchObject({ lastTickAt: T0 + 300_000, lastRunId: "cas:r", lastSkip: skip });
    expect(ended?.nextAt).toBeUndefined();
    expect(await store.setScheduleTicked("nobody", T0, { lastTickAt: T0 })).toBe(false);
  });

  it("lets exactly one of many concurrent passes move the same tick", async () => {
    const store = current();
    await store.createSchedule(schedule("race"));
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.setScheduleTicked("race", T0, { nextAt: T0 + 300_000, lastTickAt: T0, lastRunId: `r${i}` }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.getSchedule("race")).toMatchObject({ nextAt: T0 + 300_000, lastRunId: `r${winner}` });
  });
}
