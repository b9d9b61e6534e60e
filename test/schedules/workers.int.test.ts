import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { resumeSchedule, tickRunId } from "../../src/schedules/index.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { baton, cleanup, REPO, tempDir } from "../cli/helpers.js";
import { startWorker, tickOf, until } from "./worker-process.js";

afterAll(cleanup);

describe("a schedule run by two `baton worker` processes on one SQLite file", () => {
  it("fires every second for 30 ticks, one worker SIGKILLed midway: exactly one run per tick, each run completed", async () => {
    const cwd = tempDir("schedule-workers");
    const db = join(cwd, "runs.db");
    copyFileSync(join(REPO, "test/fixtures/scheduled-flow.ts"), join(cwd, "flow.ts"));
    const add = ["schedule", "add", "every-second", "./flow.ts", "--cron", "* * * * * *", "--db", db];
    const added = await baton([...add, "--overlap", "allow", "--catch-up", "0", "--paused"], { cwd });
    expect(added.code).toBe(0);
    const a = await startWorker(["--db", db], cwd);
    const b = await startWorker(["--db", db], cwd);
    const store: Store = openSqliteStore(db);
    try {
      // Both runners are up: the first tick is the next second.
      const first = (await resumeSchedule(store, "every-second")).nextAt!;
      const last = first + 29_000;
      const ticked = async (upTo: number) =>
        ((await store.getSchedule("every-second"))?.lastTickAt ?? 0) >= upTo;
      await until(() => ticked(first + 14_000), 40_000, "15 ticks");
      a.child.kill("SIGKILL");
      await a.exited;
      await until(() => ticked(last), 40_000, "30 ticks");
      const expected = Array.from({ length: 30 }, (_, i) => tickRunId("every-second", first + i * 1000));
      const ticks = async () => (await store.listRuns({ limit: 1000 })).filter((r) => tickOf(r.id) <= last);
      // The killed worker's run in flight, if any, is taken over by the other (its process is gone).
      await until(
        async () => (await ticks()).every((r) => r.status === "completed"),
        30_000,
        "every run done",
      );
      const runs = await ticks();
      expect(runs.map((r) => r.id).sort()).toEqual(expected);
      for (const run of runs)
        expect(run).toMatchObject({
          graph: "scheduled-flow",
          status: "completed",
          createdBy: { via: "schedule", who: "every-second" },
        });
      // Which runner wins each tick is down to their polling phases; between them they drove every run.
      expect(new Set([...a.drove, ...b.drove].filter((id) => tickOf(id) <= last))).toEqual(new Set(expected));
      expect((await store.getSchedule("every-second"))?.lastSkip).toBeUndefined();
    } finally {
      a.child.kill("SIGKILL");
      b.child.kill("SIGTERM");
      await Promise.all([a.exited, b.exited]);
      await store.close();
    }
  }, 120_000);
});
