/** The everyday commands against PostgreSQL: run, runs, show, resume, cancel — as on SQLite. */
import { afterAll, expect, it } from "vitest";
import { describeWithPostgres, dropSchema, PG_URL, testSchema } from "../stores/postgres-helpers.js";
import { baton, batonJson, cleanup, tempDir } from "./helpers.js";

const describePg = await describeWithPostgres("baton commands over PostgreSQL");
const schema = testSchema("cli");
const db = `${PG_URL}?schema=${schema}`;

afterAll(async () => {
  cleanup();
  await dropSchema(schema);
});

describePg("baton commands over PostgreSQL", () => {
  it("runs, lists, shows, resumes and cancels runs kept in PostgreSQL", async () => {
    const cwd = tempDir("pg");
    const escalate = ["run", "support-router", "--query", "The API is broken, this is urgent", "--db", db];
    const first = await batonJson(escalate, { cwd });
    expect(first.code, first.stderr).toBe(3);
    expect(first.status).toBe("interrupted");
    const second = await batonJson(escalate, { cwd });
    expect(second.status).toBe("interrupted");

    const listed = JSON.parse(
      (await baton(["runs", "--status", "interrupted", "--db", db, "--json"], { cwd })).stdout,
    );
    expect(listed.map((r: { runId: string }) => r.runId).sort()).toEqual([first.runId, second.runId].sort());

    const value = JSON.stringify({ approved: true, assignee: "sam" });
    const resumed = await batonJson(["resume", first.runId, "--value", value, "--db", db], { cwd });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.status).toBe("completed");
    expect(resumed.output.result).toMatchObject({ escalated: true });

    const cancelled = await baton(["cancel", second.runId, "--db", db], { cwd });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`run ${second.runId} cancelled\n`);

    const shown = JSON.parse((await baton(["show", first.runId, "--db", db, "--json"], { cwd })).stdout);
    expect(shown.run).toMatchObject({ runId: first.runId, status: "completed" });
    expect(shown.state.result.escalation).toMatchObject({ approved: true, assignee: "sam" });
    const after = JSON.parse((await baton(["show", second.runId, "--db", db, "--json"], { cwd })).stdout);
    expect(after.run.status).toBe("cancelled");
    const done = JSON.parse((await baton(["runs", "--db", db, "--json"], { cwd })).stdout);
    expect(done.map((r: { status: string }) => r.status).sort()).toEqual(["cancelled", "completed"]);
  });
});
