import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resumeSchedule, tickRunId } from "../../src/schedules/index.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { baton, cleanup, REPO, tempDir } from "../cli/helpers.js";
import {
  dropSchema,
  openTestStore,
  PG_URL,
  postgresReachable,
  testSchema,
} from "../stores/postgres-helpers.js";
import { tickSemantics } from "./semantics.js";
import { startWorker, tickOf, until } from "./worker-process.js";

afterAll(cleanup);

const suite = "tickSchedules: postgres (schedules/postgres.int.test.ts)";

if (await postgresReachable(suite)) {
  describe("tickSchedules (postgres)", () =>
    // A schema per test: the store is fresh and sees no other test's schedules.
    tickSemantics(async () => {
      const store = await openTestStore(testSchema("schedules"));
      const close = store.close.bind(store);
      return Object.assign(store, {
        close: async () => {
          await close();
          await dropSchema((store as PostgresStore).schema);
        },
      });
    }));

  describe("a schedule run by two `baton worker` processes on PostgreSQL", () => {
    it("ticks every second, one worker SIGKILLed after 4 ticks: exactly one run per tick, each run completed", async () => {
      const cwd = tempDir("schedule-pg-workers");
      const schema = testSchema("schedule_workers");
      const db = `${PG_URL}?schema=${schema}`;
      copyFileSync(join(REPO, "test/fixtures/scheduled-flow.ts"), join(cwd, "flow.ts"));
      const add = ["schedule", "add", "every-second", "./flow.ts", "--cron", "* * * * * *", "--db", db];
      expect((await baton([...add, "--overlap", "allow", "--catch-up", "0", "--paused"], { cwd })).code).toBe(
        0,
      );
      const args = ["--db", db, "--workflow", "./flow.ts", "--lease-ms", "2000", "--poll-ms", "100"];
      const a = await startWorker(args, cwd);
      const b = await startWorker(args, cwd);
      const store = await openTestStore(schema);
      try {
        const first = (await resumeSchedule(store, "every-second")).nextAt!;
        const last = first + 9_000;
        const ticked = async (upTo: number) =>
          ((await store.getSchedule("every-second"))?.lastTickAt ?? 0) >= upTo;
        await until(() => ticked(first + 3_000), 30_000, "4 ticks");
        a.child.kill("SIGKILL");
        await a.exited;
        await until(() => ticked(last), 30_000, "10 ticks");
        const expected = Array.from({ length: 10 }, (_, i) => tickRunId("every-second", first + i * 1000));
        const ticks = async () => (await store.listRuns({ limit: 1000 })).filter((r) => tickOf(r.id) <= last);
        await until(
          async () => (await ticks()).every((r) => r.status === "completed"),
          30_000,
          "every run done",
        );
        expect((await ticks()).map((r) => r.id).sort()).toEqual(expected);
      } finally {
        a.child.kill("SIGKILL");
        b.child.kill("SIGTERM");
        await Promise.all([a.exited, b.exited]);
        await store.close();
        await dropSchema(schema);
      }
    }, 90_000);
  });
} else {
  describe.skip(`${suite}: PostgreSQL unreachable`, () => {
    it("runs the tick semantics against PostgreSQL", () => undefined);
  });
}
