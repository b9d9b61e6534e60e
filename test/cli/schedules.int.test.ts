import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, cleanup, REPO, tempDir } from "./helpers.js";

afterAll(cleanup);

const json = (stdout: string) =>
  JSON.parse(stdout) as Record<string, unknown> & Array<Record<string, unknown>>;

describe("baton schedule", () => {
  it("add, list, pause, resume, trigger and delete a schedule of a shipped workflow", async () => {
    const cwd = tempDir("schedule");
    const added = await baton(
      [
        "schedule",
        "add",
        "nightly-saga",
        "order-saga",
        "--cron",
        "0 2 * * *",
        "--tz",
        "Europe/Paris",
        "--input",
        '{"quantity": 2}',
        "--overlap",
        "allow",
        "--catch-up",
        "3",
      ],
      { cwd },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^schedule nightly-saga: order-saga on "0 2 \* \* \*" \(Europe\/Paris\), overlap allow, catch-up 3; next tick \d{4}-\d\d-\d\dT0[01]:00:00\.000Z\n$/,
    );
    expect(added.stderr).toMatch(/ticks start runs while `baton worker` or `baton serve` runs on/);

    const listed = await baton(["schedule", "list"], { cwd });
    expect(listed.stdout.split("\n")[0]).toMatch(
      /^NAME\s+WORKFLOW\s+CRON\s+TZ\s+NEXT\s+LAST RUN\s+LAST SKIP\s+POLICY$/,
    );
    expect(listed.stdout).toMatch(
      /nightly-saga\s+order-saga\s+0 2 \* \* \*\s+Europe\/Paris\s+\S+Z\s+-\s+-\s+allow, catch-up 3/,
    );

    const paused = await baton(["schedule", "pause", "nightly-saga"], { cwd });
    expect(paused).toMatchObject({ code: 0, stdout: expect.stringMatching(/; paused\n$/) });
    const resumed = await baton(["schedule", "resume", "nightly-saga", "--json"], { cwd });
    expect(json(resumed.stdout)).toMatchObject({ name: "nightly-saga", paused: false });

    const triggered = await baton(["schedule", "trigger", "nightly-saga"], { cwd });
    expect(triggered.code).toBe(0);
    const runId = triggered.stdout.trim();
    expect(runId).toMatch(/^nightly-saga:manual:\d{4}-.*Z$/);
    const runs = json((await baton(["runs", "--json"], { cwd })).stdout);
    expect(runs).toEqual([
      expect.objectContaining({
        runId,
        graph: "order-saga",
        status: "pending",
        input: { quantity: 2 },
        createdBy: expect.objectContaining({ via: "cli" }),
      }),
    ]);

    const views = json((await baton(["schedule", "list", "--json"], { cwd })).stdout);
    expect(views).toEqual([
      expect.objectContaining({
        name: "nightly-saga",
        workflow: "order-saga",
        cron: "0 2 * * *",
        tz: "Europe/Paris",
        input: { quantity: 2 },
        overlap: "allow",
        catchUp: 3,
        paused: false,
        lastRun: { id: runId, status: "pending" },
      }),
    ]);

    const deleted = await baton(["schedule", "delete", "nightly-saga"], { cwd });
    expect(deleted).toMatchObject({ code: 0, stdout: "schedule nightly-saga deleted (its runs are kept)\n" });
    const again = await baton(["schedule", "delete", "nightly-saga"], { cwd });
    expect(again).toMatchObject({ code: 2, stderr: 'baton: No schedule named "nightly-saga"\n' });
    expect((await baton(["schedule", "list"], { cwd })).stdout).toMatch(/^No schedules\./);
  });

  it("refuses a bad expression, zone, workflow, input or policy, naming it, and stores nothing", async () => {
    const cwd = tempDir("schedule-bad");
    const add = (...extra: string[]) => baton(["schedule", "add", "s", ...extra], { cwd });
    const cases: Array<[string[], RegExp]> = [
      [
        ["order-saga", "--cron", "0 25 * * *"],
        /^baton: Bad cron expression "0 25 \* \* \*": Invalid value for hour: 25\n$/,
      ],
      [
        ["order-saga", "--cron", "0 2 * * *", "--tz", "Europe/Pariss"],
        /^baton: Unknown time zone "Europe\/Pariss"/,
      ],
      [
        ["no-such-flow", "--cron", "0 2 * * *"],
        /^baton: Unknown workflow "no-such-flow"; shipped workflows are/,
      ],
      [
        ["order-saga", "--cron", "0 2 * * *", "--input", '{"qty": 2}'],
        /^baton: Run input has unknown key\(s\) "qty"/,
      ],
      [
        ["order-saga", "--cron", "0 2 * * *", "--overlap", "queue"],
        /argument 'queue' is invalid. Allowed choices are skip, allow/,
      ],
      [
        ["order-saga", "--cron", "0 2 * * *", "--catch-up", "many"],
        /^baton: --catch-up must be a whole number ≥ 0, not "many"/,
      ],
      [["order-saga"], /required option '--cron <expr>' not specified/],
    ];
    for (const [args, message] of cases) {
      const r = await add(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
    expect(json((await baton(["schedule", "list", "--json"], { cwd })).stdout)).toEqual([]);
    const bad = await baton(["schedule", "add", "has:colon", "order-saga", "--cron", "0 2 * * *"], { cwd });
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^baton: Bad schedule name "has:colon"/),
    });
    for (const action of ["pause", "resume", "trigger"]) {
      const r = await baton(["schedule", action, "ghost"], { cwd });
      expect(r).toMatchObject({ code: 2, stderr: 'baton: No schedule named "ghost"\n' });
    }
  });

  it("a workflow file: its path is recorded, so a trigger from the same folder finds it by name", async () => {
    const cwd = tempDir("schedule-file");
    copyFileSync(join(REPO, "test/fixtures/trivial-workflow.ts"), join(cwd, "trivial.ts"));
    const added = await baton(
      ["schedule", "add", "tiny", "./trivial.ts", "--cron", "*/5 * * * *", "--json"],
      { cwd },
    );
    expect(added.code).toBe(0);
    expect(json(added.stdout)).toMatchObject({
      name: "tiny",
      workflow: "trivial",
      cron: "*/5 * * * *",
      tz: "UTC",
    });
    expect(JSON.parse(readFileSync(join(cwd, ".baton/workflows.json"), "utf8"))).toEqual({
      trivial: join(cwd, "trivial.ts"),
    });
    const triggered = await baton(["schedule", "trigger", "tiny", "--json"], { cwd });
    expect(json(triggered.stdout)).toMatchObject({ created: true, status: "pending" });
  });
});
