import { afterEach, beforeEach, expect, it } from "vitest";
import type { Store } from "../../src/engine/store.js";
import {
  addSchedule,
  pauseSchedule,
  resumeSchedule,
  tickSchedules,
  triggerSchedule,
} from "../../src/schedules/index.js";
import { iso, lookup, MINUTE, reportGraph, SECOND, T0 } from "./fixtures.js";

/** Tick semantics on one store: the clock is passed in, so downtime is simulated, not waited for. */
export function tickSemantics(open: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  const add = (name: string, options: { cron?: string; overlap?: "skip" | "allow"; catchUp?: number } = {}) =>
    addSchedule(store, {
      name,
      workflow: reportGraph(store),
      cron: options.cron ?? "* * * * *",
      input: { city: "Paris" },
      now: T0,
      ...(options.overlap ? { overlap: options.overlap } : {}),
      ...(options.catchUp !== undefined ? { catchUp: options.catchUp } : {}),
    });
  const tick = (now: number) => tickSchedules({ store, workflow: lookup, now });
  const finish = (runId: string) => store.updateRun(runId, { status: "completed" });

  it("starts one pending run per tick, due at the tick, with the schedule's input and id", async () => {
    const added = await add("every-minute");
    expect(added.nextAt).toBe(T0 + MINUTE);
    expect((await tick(T0 + 30 * SECOND)).started).toEqual([]);
    const report = await tick(T0 + MINUTE + 200);
    const runId = `every-minute:${iso(T0 + MINUTE)}`;
    expect(report.started).toEqual([
      { schedule: "every-minute", tick: iso(T0 + MINUTE), runId, created: true },
    ]);
    expect(await store.getRun(runId)).toMatchObject({
      status: "pending",
      graph: "report",
      graphHash: "report-hash",
      input: { city: "Paris" },
      wakeAt: T0 + MINUTE,
      createdBy: { via: "schedule", who: "every-minute" },
    });
    expect(await store.getSchedule("every-minute")).toMatchObject({
      nextAt: T0 + 2 * MINUTE,
      lastTickAt: T0 + MINUTE,
      lastRunId: runId,
    });
    // The same moment again: nothing is due any more.
    expect((await tick(T0 + MINUTE + 300)).started).toEqual([]);
  });

  it("overlap skip: a tick while the previous run is unfinished starts nothing and is recorded", async () => {
    await add("skipper", { overlap: "skip" });
    const first = (await tick(T0 + MINUTE)).started[0]!.runId;
    const second = await tick(T0 + 2 * MINUTE);
    expect(second.started).toEqual([]);
    expect(second.skipped).toEqual([
      { schedule: "skipper", tick: iso(T0 + 2 * MINUTE), reason: "overlap", count: 1 },
    ]);
    expect(await store.getRun(`skipper:${iso(T0 + 2 * MINUTE)}`)).toBeUndefined();
    expect(await store.getSchedule("skipper")).toMatchObject({
      nextAt: T0 + 3 * MINUTE,
      lastRunId: first,
      lastSkip: { tick: T0 + 2 * MINUTE, reason: "overlap", count: 1 },
    });
    // Sleeping, waiting and interrupted runs are unfinished too.
    for (const status of ["running", "sleeping", "waiting", "interrupted"] as const) {
      await store.updateRun(first, { status });
      const t = (await store.getSchedule("skipper"))!.nextAt!;
      expect((await tick(t)).skipped.map((s) => s.reason)).toEqual(["overlap"]);
    }
    await finish(first);
    const t = (await store.getSchedule("skipper"))!.nextAt!;
    expect((await tick(t)).started.map((s) => s.runId)).toEqual([`skipper:${iso(t)}`]);
  });

  it("overlap skip also sees the previous tick's run when a racing pass started it after all", async () => {
    await add("stale", { overlap: "skip" });
    await finish((await tick(T0 + MINUTE)).started[0]!.runId);
    // One pass skipped T0+2m (the last run looked unfinished) and moved on; a racing pass, reading
    // the last run a moment later as finished, started T0+2m's run. The schedule's last run is stale.
    const raced = `stale:${iso(T0 + 2 * MINUTE)}`;
    await store.createRun({ id: raced, graph: "report", graphHash: "h", status: "pending", input: {} });
    await store.setScheduleTicked("stale", T0 + 2 * MINUTE, {
      nextAt: T0 + 3 * MINUTE,
      lastTickAt: T0 + 2 * MINUTE,
    });
    const report = await tick(T0 + 3 * MINUTE);
    expect(report.started).toEqual([]);
    expect(report.skipped.map((s) => s.reason)).toEqual(["overlap"]);
  });

  it("overlap allow: a tick starts its run beside the unfinished one", async () => {
    await add("allower", { overlap: "allow" });
    await tick(T0 + MINUTE);
    const second = await tick(T0 + 2 * MINUTE);
    expect(second.started.map((s) => s.runId)).toEqual([`allower:${iso(T0 + 2 * MINUTE)}`]);
    expect(second.skipped).toEqual([]);
    expect((await store.listRuns({ status: "pending" })).length).toBe(2);
  });

  it("ticks a few seconds late are on time, all of them (a slow pass misses none)", async () => {
    await add("seconds", { cron: "* * * * * *", overlap: "allow", catchUp: 0 });
    const report = await tick(T0 + 4 * SECOND + 100);
    expect(report.started.map((s) => s.tick)).toEqual([1, 2, 3, 4].map((s) => iso(T0 + s * SECOND)));
    expect(report.skipped).toEqual([]);
  });

  it("catch-up 0: after downtime, missed ticks are skipped and counted; the next tick runs", async () => {
    await add("no-catch-up", { catchUp: 0 });
    const back = T0 + 10 * MINUTE + 30 * SECOND;
    const report = await tick(back);
    expect(report.started).toEqual([]);
    expect(report.skipped).toEqual([
      { schedule: "no-catch-up", tick: iso(T0 + 10 * MINUTE), reason: "missed", count: 10 },
    ]);
    expect(await store.listRuns()).toEqual([]);
    expect(await store.getSchedule("no-catch-up")).toMatchObject({
      nextAt: T0 + 11 * MINUTE,
      lastTickAt: T0 + 10 * MINUTE,
      lastSkip: { tick: T0 + 10 * MINUTE, reason: "missed", count: 10 },
    });
    expect((await tick(T0 + 11 * MINUTE)).started.map((s) => s.tick)).toEqual([iso(T0 + 11 * MINUTE)]);
  });

  it("catch-up N: after downtime, the latest N missed ticks start (oldest first), older ones are skipped", async () => {
    await add("catch-up-3", { catchUp: 3, overlap: "allow" });
    const report = await tick(T0 + 10 * MINUTE + 30 * SECOND);
    expect(report.started.map((s) => s.tick)).toEqual([8, 9, 10].map((m) => iso(T0 + m * MINUTE)));
    expect(report.skipped).toEqual([
      { schedule: "catch-up-3", tick: iso(T0 + 7 * MINUTE), reason: "missed", count: 7 },
    ]);
    expect((await store.listRuns()).map((r) => r.wakeAt).sort()).toEqual(
      [8, 9, 10].map((m) => T0 + m * MINUTE),
    );
  });

  it("the default catch-up is 1: the latest missed tick runs", async () => {
    const added = await add("default-catch-up");
    expect(added).toMatchObject({ catchUp: 1, overlap: "skip", tz: "UTC" });
    const report = await tick(T0 + 5 * MINUTE + 30 * SECOND);
    expect(report.started.map((s) => s.tick)).toEqual([iso(T0 + 5 * MINUTE)]);
    expect(report.skipped.map((s) => s.count)).toEqual([4]);
  });

  it("catch-up with overlap skip starts one missed tick: the others would overlap it", async () => {
    await add("catch-up-skip", { catchUp: 3, overlap: "skip" });
    const report = await tick(T0 + 10 * MINUTE + 30 * SECOND);
    expect(report.started.map((s) => s.tick)).toEqual([iso(T0 + 8 * MINUTE)]);
    expect(report.skipped.map((s) => [s.reason, s.count])).toEqual([
      ["missed", 7],
      ["overlap", 1],
      ["overlap", 1],
    ]);
  });

  it("a pass that crashed after creating its runs is finished by the next, without a second run", async () => {
    await add("crashy", { overlap: "skip" });
    // The crashed pass: the tick's run was created, the schedule never moved on.
    const runId = `crashy:${iso(T0 + MINUTE)}`;
    await store.createRun({
      id: runId,
      graph: "report",
      graphHash: "report-hash",
      status: "pending",
      input: { city: "Paris" },
      wakeAt: T0 + MINUTE,
    });
    const report = await tick(T0 + MINUTE + 500);
    expect(report.started).toEqual([{ schedule: "crashy", tick: iso(T0 + MINUTE), runId, created: false }]);
    expect(report.skipped).toEqual([]);
    expect(await store.getSchedule("crashy")).toMatchObject({ nextAt: T0 + 2 * MINUTE, lastRunId: runId });
    expect((await store.listRuns()).length).toBe(1);
  });

  it("passes racing on one tick start it once; all but one see the schedule moved on", async () => {
    await add("racy", { overlap: "allow" });
    const reports = await Promise.all(Array.from({ length: 6 }, () => tick(T0 + MINUTE + 100)));
    expect((await store.listRuns()).map((r) => r.id)).toEqual([`racy:${iso(T0 + MINUTE)}`]);
    expect(reports.flatMap((r) => r.started).filter((s) => s.created)).toHaveLength(1);
    // A pass that came after the winner moved on finds nothing due; of those that found the tick, one moved it.
    expect(reports.filter((r) => r.started.length > 0 && r.raced.length === 0)).toHaveLength(1);
  });

  it("an unknown workflow fails its schedule only, which is tried again next pass", async () => {
    await add("good");
    await add("orphan");
    await store.deleteSchedule("orphan");
    await store.createSchedule({
      name: "orphan",
      workflow: "gone",
      cron: "* * * * *",
      tz: "UTC",
      input: undefined,
      overlap: "skip",
      catchUp: 1,
      paused: false,
      nextAt: T0 + MINUTE,
    });
    const report = await tick(T0 + MINUTE);
    expect(report.started.map((s) => s.schedule)).toEqual(["good"]);
    expect(report.failed).toEqual([{ schedule: "orphan", error: 'Unknown workflow "gone"' }]);
    expect(await store.getSchedule("orphan")).toMatchObject({ nextAt: T0 + MINUTE });
  });

  it("paused schedules start nothing; resumed, they start from the next tick (no catch-up of the pause)", async () => {
    await add("pausable");
    await pauseSchedule(store, "pausable");
    expect(await tick(T0 + 5 * MINUTE)).toMatchObject({ started: [], skipped: [] });
    const resumed = await resumeSchedule(store, "pausable", { now: T0 + 5 * MINUTE + 10 * SECOND });
    expect(resumed).toMatchObject({ paused: false, nextAt: T0 + 6 * MINUTE });
    expect((await tick(T0 + 6 * MINUTE)).started.map((s) => s.tick)).toEqual([iso(T0 + 6 * MINUTE)]);
  });

  it("trigger starts one run now, paused or not, and it becomes the last run", async () => {
    await add("manual");
    await pauseSchedule(store, "manual");
    const at = T0 + 90 * SECOND;
    const { runId, created } = await triggerSchedule(store, "manual", {
      workflow: lookup,
      now: at,
      by: { via: "cli", who: "sam@laptop" },
    });
    expect({ runId, created }).toEqual({ runId: `manual:manual:${iso(at)}`, created: true });
    expect(await store.getRun(runId)).toMatchObject({
      status: "pending",
      wakeAt: at,
      input: { city: "Paris" },
      createdBy: { via: "cli", who: "sam@laptop" },
    });
    expect(await store.getSchedule("manual")).toMatchObject({ paused: true, lastRunId: runId });
  });

  it("time zones: a daily 10:00 in Paris ticks at 09:00 UTC in winter, 08:00 in summer", async () => {
    const winter = await addSchedule(store, {
      name: "paris",
      workflow: reportGraph(store),
      cron: "0 10 * * *",
      tz: "Europe/Paris",
      now: T0,
    });
    expect(iso(winter.nextAt!)).toBe("2026-12-03T09:00:00.000Z");
    const summer = await addSchedule(store, {
      name: "paris-summer",
      workflow: reportGraph(store),
      cron: "0 10 * * *",
      tz: "Europe/Paris",
      now: Date.UTC(2027, 5, 1),
    });
    expect(iso(summer.nextAt!)).toBe("2027-06-01T08:00:00.000Z");
  });
}
