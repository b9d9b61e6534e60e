import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, REPO, tempDir } from "./helpers.js";

afterAll(cleanup);

/** A user workflow: a step with an undo, then a human approval. Its file writes a ledger beside it. */
const APPROVAL = `import { appendFileSync } from "node:fs";
import { defineState, END, START, StateGraph, value } from "baton";

const State = defineState({ item: value("desk"), booked: value(false), approved: value<boolean | null>(null) });
const ledger = (line: string) => appendFileSync("ledger.txt", \`\${line}\\n\`);

export default new StateGraph(State)
  .addNode(
    "book",
    (s) => {
      ledger(\`book \${s.item}\`);
      return { booked: true };
    },
    { compensate: (s) => ledger(\`unbook \${s.item}\`) },
  )
  .addNode("approve", (_s, c) => ({ approved: c.interrupt<{ ok: boolean }>({ question: "approve?" }).ok }))
  .addEdge(START, "book")
  .addEdge("book", "approve")
  .addEdge("approve", END)
  .compile({ name: "approval" });
`;

const ledger = (cwd: string) => readFileSync(join(cwd, "ledger.txt"), "utf8").trim().split("\n");

describe.concurrent("inspecting runs", () => {
  // Ten real `baton` processes one after another: generous for a loaded CI machine.
  it("runs, show, show --history and show --json describe the runs of this folder", {
    timeout: 90_000,
  }, async () => {
    const cwd = tempDir("inspect");
    const done = await batonJson(
      ["run", "support-router", "--query", "refund please", "--run-id", "r-done"],
      {
        cwd,
      },
    );
    expect(done.status).toBe("completed");
    const paused = await batonJson(
      ["run", "support-router", "--query", "urgent: it crashed", "--run-id", "r-wait"],
      {
        cwd,
      },
    );
    expect(paused.status).toBe("interrupted");

    const runs = await baton(["runs"], { cwd });
    expect(runs.code).toBe(0);
    const lines = runs.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^RUN ID +STATUS +WORKFLOW +STEP +STARTED$/);
    expect(lines[1]).toMatch(/^r-wait +interrupted +support-router +2 /);
    expect(lines[2]).toMatch(/^r-done +completed +support-router +4 /);
    const onlyDone = await baton(["runs", "--status", "completed", "--json"], { cwd });
    expect((JSON.parse(onlyDone.stdout) as Array<{ runId: string }>).map((r) => r.runId)).toEqual(["r-done"]);
    // The header and one run.
    expect((await baton(["runs", "--limit", "1"], { cwd })).stdout.trim().split("\n")).toHaveLength(2);

    const show = await baton(["show", "r-wait"], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^run r-wait {2}support-router {2}interrupted {2}step 2/);
    expect(show.stdout).toMatch(/waiting: escalate \{"question":"Escalated support request/);
    expect(show.stdout).toMatch(/step +1 +classify +succeeded/);
    expect(show.stdout).toMatch(/"priority": "critical"/);

    const history = await baton(["show", "r-done", "--history"], { cwd });
    expect(history.stdout).toMatch(/checkpoint 1 {2}next: triage/);
    expect(history.stdout).toMatch(/checkpoint 4 {2}next: \(end\)/);

    const json = JSON.parse((await baton(["show", "r-done", "--json", "--history"], { cwd })).stdout);
    expect(json.run).toMatchObject({ runId: "r-done", status: "completed", graph: "support-router" });
    expect(json.state).toMatchObject({ category: "customer_service", priority: "medium" });
    expect(json.tasks.map((t: { node: string }) => t.node)).toEqual(
      expect.arrayContaining(["classify", "lookup_customer", "triage", "customer_service", "respond"]),
    );
    expect(json.history.length).toBeGreaterThanOrEqual(4);
  });

  it("graph prints each shipped workflow as Mermaid", async () => {
    const cwd = tempDir("graph");
    const saga = await baton(["graph", "order-saga"], { cwd });
    expect(saga.code).toBe(0);
    expect(saga.stdout).toMatch(/^flowchart TD\n/);
    expect(saga.stdout).toContain("reserve_inventory --> create_shipping_label");
    const research = await baton(["graph", "parallel-research", "--format", "mermaid"], { cwd });
    for (const branch of ["weather", "files", "database"])
      expect(research.stdout).toMatch(new RegExp(`${branch} --> join\\d+`));
    expect(research.stdout).toMatch(/join\d+ --> aggregate/);
    const router = await baton(["graph", "support-router"], { cwd });
    expect(router.stdout).toMatch(/triage -\.->\|escalate\| escalate/);
  });

  it("mcp tools lists the tools of the three bundled servers", async () => {
    const r = await baton(["mcp", "tools"], { cwd: tempDir("tools") });
    expect(r.code).toBe(0);
    const servers = r.stdout.split("\n").filter((l) => /^\S/.test(l));
    expect(servers).toEqual(["weather", "database", "filesystem"]);
    for (const tool of ["get_current_weather", "get_weather_forecast", "query", "insert", "search_files"])
      expect(r.stdout).toMatch(new RegExp(`^ {2}${tool} `, "m"));
    const json = JSON.parse((await baton(["mcp", "tools", "--json"], { cwd: tempDir("tools-json") })).stdout);
    expect(json).toEqual(
      expect.arrayContaining([expect.objectContaining({ server: "database", name: "delete" })]),
    );
  });
});

describe.concurrent("user workflows", () => {
  it("init writes a config and an example that runs with no build step, in a bare folder", async () => {
    // A global install: no package.json, no node_modules here; `import "baton"` is the command's own package.
    const cwd = tempDir("init");
    const init = await baton(["init"], { cwd });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("wrote hello.workflow.ts");
    // No local install here: the printed commands name this command's own script.
    expect(init.stdout).toContain(`run it:     ${join(REPO, "bin/baton.js")} run hello.workflow.ts`);
    const config = JSON.parse(readFileSync(join(cwd, "baton.config.json"), "utf8"));
    expect(Object.keys(config.mcpServers)).toEqual(["weather", "database", "filesystem"]);
    const r = await batonJson(["run", "hello.workflow.ts", "--input", '{"city": "Tokyo"}'], { cwd });
    expect(r.code).toBe(0);
    expect(r.output).toMatchObject({ summary: "hello, Tokyo: 18 °C, rainy" });
    expect((await baton(["init"], { cwd })).code).toBe(2); // no overwriting without --force
    expect((await baton(["init", "--force"], { cwd })).code).toBe(0);
    const graph = await baton(["graph", "hello.workflow.ts"], { cwd });
    expect(graph.stdout).toMatch(/weather --> join\d*/);
  });

  it("runs a .ts workflow in an npm project (baton installed, package.json without a type)", async () => {
    const cwd = tempDir("project");
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "my-flows", version: "1.0.0" }));
    mkdirSync(join(cwd, "node_modules"));
    symlinkSync(REPO, join(cwd, "node_modules/baton"), "dir");
    mkdirSync(join(cwd, "flows"));
    writeFileSync(join(cwd, "flows/approval.ts"), APPROVAL);
    const r = await batonJson(["run", "flows/approval.ts", "--input", '{"item": "lamp"}'], { cwd });
    expect(r.code).toBe(3);
    expect(r.interrupts).toEqual([
      expect.objectContaining({ node: "approve", payload: { question: "approve?" } }),
    ]);
    // resume finds the file from the run's graph name: no path needed.
    const resumed = await batonJson(["resume", r.runId, "--value", '{"ok": true}'], { cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.output).toMatchObject({ booked: true, approved: true });
    expect(ledger(cwd)).toEqual(["book lamp"]);
  });
});

describe.concurrent("baton cancel", () => {
  it("cancels an interrupted run; it cannot be resumed afterwards", async () => {
    const cwd = tempDir("cancel");
    writeFileSync(join(cwd, "approval.workflow.ts"), APPROVAL);
    const r = await batonJson(["run", "approval.workflow.ts", "--run-id", "c-1"], { cwd });
    expect(r.status).toBe("interrupted");
    const cancel = await baton(["cancel", "c-1"], { cwd });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe("run c-1 cancelled\n");
    expect(ledger(cwd)).toEqual(["book desk"]);
    const again = await baton(["resume", "c-1", "--value", '{"ok": true}'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^baton: Run c-1 is cancelled/);
    expect((await baton(["cancel", "c-1"], { cwd })).stderr).toBe("baton: Run c-1 is already cancelled\n");
  });

  it("cancel --compensate undoes the completed steps of an interrupted run", async () => {
    const cwd = tempDir("cancel-undo");
    writeFileSync(join(cwd, "approval.workflow.ts"), APPROVAL);
    const r = await batonJson(
      ["run", "approval.workflow.ts", "--run-id", "c-2", "--input", '{"item": "chair"}'],
      {
        cwd,
      },
    );
    expect(r.status).toBe("interrupted");
    const cancel = await baton(["cancel", "c-2", "--compensate"], { cwd });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe("run c-2 compensated\n");
    expect(ledger(cwd)).toEqual(["book chair", "unbook chair"]);
    const shown = JSON.parse((await baton(["show", "c-2", "--json"], { cwd })).stdout);
    expect(shown.run.status).toBe("compensated");
  });

  // Engine bug (src/engine/loop.ts `stop` → `unwind`): with nothing to undo, a compensating cancel
  // ends `failed` instead of `cancelled`. Remove `.fails` once it is fixed.
  it("cancel --compensate of a run with nothing to undo ends cancelled", async () => {
    const cwd = tempDir("cancel-nothing");
    const r = await batonJson(["run", "support-router", "--query", "urgent: it crashed", "--run-id", "c-3"], {
      cwd,
    });
    expect(r.status).toBe("interrupted");
    const cancel = await baton(["cancel", "c-3", "--compensate"], { cwd });
    expect(cancel.stdout).toBe("run c-3 cancelled\n");
  });
});
