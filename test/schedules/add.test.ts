import { describe, expect, it } from "vitest";
import type { OverlapPolicy } from "../../src/schedules/index.js";
import {
  addSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
} from "../../src/schedules/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { lookup, reportGraph, T0 } from "./fixtures.js";

const store = new MemoryStore();
const workflow = reportGraph(store);
const base = { name: "nightly", workflow, cron: "0 2 * * *", now: T0 };

/** Each refusal names what is wrong and stores nothing. */
async function refused(options: Partial<Parameters<typeof addSchedule>[1]>, code: string, message: RegExp) {
  const error = await addSchedule(store, { ...base, ...options }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
  expect(await store.listSchedules()).toEqual([]);
}

describe("addSchedule refuses bad input, naming it, and stores nothing", () => {
  it("a bad cron expression", async () => {
    await refused(
      { cron: "every day" },
      "SCHEDULE_INVALID",
      /^Bad cron expression "every day": .*five, six, or seven/,
    );
    await refused(
      { cron: "61 * * * *" },
      "SCHEDULE_INVALID",
      /^Bad cron expression "61 \* \* \* \*": .*minute/,
    );
    await refused({ cron: "  " }, "SCHEDULE_INVALID", /empty/);
    await refused({ cron: "0 0 30 2 *" }, "SCHEDULE_INVALID", /"0 0 30 2 \*" never fires/);
  });

  it("a bad time zone", async () => {
    await refused(
      { tz: "Mars/Olympus" },
      "SCHEDULE_INVALID",
      /^Unknown time zone "Mars\/Olympus": give an IANA name/,
    );
    await refused({ tz: "" }, "SCHEDULE_INVALID", /Unknown time zone ""/);
  });

  it("input the workflow's state refuses", async () => {
    await refused({ input: { city: "" } }, "INPUT_INVALID", /city/);
    await refused({ input: { town: "Paris" } }, "INPUT_INVALID", /unknown key\(s\) "town"/);
    await refused({ input: [1] }, "INPUT_INVALID", /an array/);
  });

  it("a bad name, overlap policy or catch-up", async () => {
    await refused({ name: "has:colon" }, "SCHEDULE_INVALID", /Bad schedule name "has:colon"/);
    await refused({ name: "" }, "SCHEDULE_INVALID", /Bad schedule name ""/);
    await refused(
      { overlap: "queue" as OverlapPolicy },
      "SCHEDULE_INVALID",
      /Bad overlap policy "queue": use "skip" or "allow"/,
    );
    await refused({ catchUp: -1 }, "SCHEDULE_INVALID", /Bad catch-up "-1"/);
    await refused({ catchUp: 1.5 }, "SCHEDULE_INVALID", /Bad catch-up "1.5"/);
    await refused({ catchUp: 1001 }, "SCHEDULE_INVALID", /from 0 to 1000/);
  });

  it("a name already taken, leaving the first schedule as it was", async () => {
    const first = await addSchedule(store, base);
    const error = await addSchedule(store, { ...base, cron: "* * * * *" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SCHEDULE_EXISTS" });
    expect((error as Error).message).toBe(
      'A schedule named "nightly" exists already (workflow report, cron "0 2 * * *"): delete it first or pick another name',
    );
    expect(await store.getSchedule("nightly")).toEqual(first);
    await deleteSchedule(store, "nightly");
  });
});

describe("operating a schedule by name", () => {
  it("lists views with ISO times and the last run's status", async () => {
    const s = new MemoryStore();
    await addSchedule(s, { ...base, workflow: reportGraph(s), input: { city: "Oslo" }, tz: "Europe/Oslo" });
    const { runId } = await triggerSchedule(s, "nightly", { workflow: lookup, now: T0 + 1 });
    expect(await listSchedules(s)).toEqual([
      expect.objectContaining({
        name: "nightly",
        workflow: "report",
        cron: "0 2 * * *",
        tz: "Europe/Oslo",
        input: { city: "Oslo" },
        overlap: "skip",
        catchUp: 1,
        paused: false,
        nextAt: "2026-12-03T01:00:00.000Z",
        lastTickAt: null,
        lastRun: { id: runId, status: "pending" },
        lastSkip: null,
      }),
    ]);
  });

  it("refuses unknown names with SCHEDULE_NOT_FOUND", async () => {
    const s = new MemoryStore();
    for (const op of [
      () => getSchedule(s, "nope"),
      () => pauseSchedule(s, "nope"),
      () => resumeSchedule(s, "nope"),
      () => deleteSchedule(s, "nope"),
      () => triggerSchedule(s, "nope", { workflow: lookup }),
    ])
      await expect(op()).rejects.toMatchObject({
        code: "SCHEDULE_NOT_FOUND",
        message: 'No schedule named "nope"',
      });
    expect(await s.listRuns()).toEqual([]);
  });
});
