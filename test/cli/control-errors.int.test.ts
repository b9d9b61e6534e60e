import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, tempDir } from "./helpers.js";

/**
 * Control operations validate before they change anything: a refused resume leaves the paused run
 * exactly as it was (status, stored interrupts, history), with one clear line and exit code 2.
 */
afterAll(cleanup);

/** The run's row and its history, straight from the SQLite file. */
function stored(cwd: string, runId: string) {
  const db = new Database(join(cwd, ".baton/baton.db"), { readonly: true });
  try {
    const run = db.prepare("SELECT status, interrupts, updated_at FROM runs WHERE id = ?").get(runId);
    const history = db
      .prepare("SELECT count(*) AS n FROM history WHERE run = (SELECT key FROM runs WHERE id = ?)")
      .get(runId);
    return { run, history };
  } finally {
    db.close();
  }
}

describe.concurrent("refused control operations (baton command)", () => {
  it("a resume of the paused support-router run without an answer, or with an invalid one, changes nothing", async () => {
    const cwd = tempDir("answers");
    const started = await batonJson(
      ["run", "support-router", "--query", "The API is broken, this is urgent"],
      {
        cwd,
      },
    );
    expect(started.status).toBe("interrupted");
    const before = stored(cwd, started.runId);

    const missing = await baton(["resume", started.runId], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/waiting for an answer from node "escalate".*resume it with a value/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const invalid = await baton(["resume", started.runId, "--value", '{"approved":"maybe"}'], { cwd });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/answer to node "escalate" is invalid: approved/);

    const unknownKey = await baton(["resume", started.runId, "--value", '{"approved":true,"boss":"x"}'], {
      cwd,
    });
    expect(unknownKey.code).toBe(2);
    expect(stored(cwd, started.runId)).toEqual(before);

    const done = await batonJson(["resume", started.runId, "--value", '{"approved":true,"assignee":"sam"}'], {
      cwd,
    });
    expect(done.status).toBe("completed");
    const events = await baton(["show", started.runId, "--events"], { cwd });
    expect(events.stdout).toMatch(/escalate answered by cli \S+@\S+ after \d+ ms: \{"approved":true/);
  });

  it("a --run-id that belongs to another workflow is RUN_CONFLICT, naming it; nothing is stored", async () => {
    const cwd = tempDir("conflict");
    const first = await batonJson(["run", "order-saga", "--run-id", "shared-id"], { cwd });
    expect(first.status).toBe("completed");
    const before = stored(cwd, "shared-id");
    const other = await baton(["run", "support-router", "--query", "hello", "--run-id", "shared-id"], {
      cwd,
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/Run shared-id belongs to workflow "order-saga", not "support-router"/);
    expect(stored(cwd, "shared-id")).toEqual(before);
  });

  it("`baton retry` refuses a completed run and reruns a failed one, keeping its history", async () => {
    const cwd = tempDir("retry");
    const done = await batonJson(["run", "order-saga", "--run-id", "ok-1"], { cwd });
    expect(done.status).toBe("completed");
    const refused = await baton(["retry", "ok-1"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ok-1 is completed; only failed or cancelled runs can be retried/);

    // A step that fails while a marker file exists; the retry runs it again, not the step before.
    const marker = join(cwd, "down");
    writeFileSync(marker, "");
    writeFileSync(
      join(cwd, "flaky.ts"),
      `import { existsSync } from "node:fs";
import { append, defineState, END, START, StateGraph } from "baton";
const State = defineState({ log: append<string>() });
export default new StateGraph(State)
  .addNode("first", () => ({ log: "first" }))
  .addNode("shaky", () => {
    if (existsSync(${JSON.stringify(marker)})) throw new Error("shaky is down");
    return { log: "shaky" };
  })
  .addEdge(START, "first").addEdge("first", "shaky").addEdge("shaky", END)
  .compile();
`,
    );
    const failed = await batonJson(["run", "flaky.ts", "--run-id", "flaky-1"], { cwd });
    expect(failed.status).toBe("failed");
    rmSync(marker);
    const retried = await batonJson(["retry", "flaky-1"], { cwd });
    expect(retried.status).toBe("completed");
    expect(retried.output).toEqual({ log: ["first", "shaky"] });
    const events = (await baton(["show", "flaky-1", "--events"], { cwd })).stdout;
    expect(events).toMatch(/shaky attempt 1 failed.*shaky is down/);
    expect(events).toMatch(/retried by cli/);
    expect(events).toMatch(/shaky attempt 1 succeeded/);
  });
});
