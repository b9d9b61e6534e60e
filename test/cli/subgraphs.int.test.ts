/**
 * Subgraphs through the real `baton` command: `baton show` names a run's parent and lists its
 * children (subgraph and child runs), also for the children themselves, and `baton graph` draws a
 * subgraph node as a box holding its graph, nested.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parentLine } from "../../src/cli/commands/inspect.js";
import { baton, cleanup, REPO, tempDir } from "./helpers.js";

const FLOW = join(REPO, "test/fixtures/subgraph-flow.ts");
afterAll(cleanup);

describe("baton show and baton graph with subgraphs", () => {
  it("shows a run's children with kind, workflow and status, and each child's parent", async () => {
    const cwd = tempDir("subgraph-show");
    const ran = await baton(["run", FLOW, "--input", '{"topic":"owls"}', "--run-id", "p1", "--json"], {
      cwd,
    });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({
      status: "completed",
      output: { receipt: "receipt for owls" },
    });

    const shown = await baton(["show", "p1"], { cwd });
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split("\n");
    expect(lines.some((l) => l.startsWith("parent:") || l.startsWith("forked from"))).toBe(false);
    const at = lines.indexOf("children:");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^\s+RUN ID\s+KIND\s+WORKFLOW\s+STATUS/);
    expect(lines[at + 2]).toMatch(
      /^\s+p1:review:2:sub\s+subgraph\s+subgraph-flow\/review\s+completed\s+task review at step 2$/,
    );
    expect(lines[at + 3]).toMatch(
      /^\s+p1:bill:3\S*\s+child\s+subgraph-receipt\s+completed\s+task bill at step 3$/,
    );

    const sub = await baton(["show", "p1:review:2:sub"], { cwd });
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toContain("parent: p1 (subgraph of task review at step 2)");
    expect(sub.stdout).toMatch(
      /p1:review:2:sub:deep:2:sub\s+subgraph\s+subgraph-flow\/review\/deep\s+completed/,
    );
    // Its state is the subgraph's (found through the workflow holding the node).
    expect(sub.stdout).toContain('"dug owls"');

    const child = lines[at + 3]!.trim().split(/\s+/)[0]!;
    const started = await baton(["show", child], { cwd });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("parent: p1 (child of task bill at step 3)");
    expect(started.stdout).not.toContain("children:");

    const json = await baton(["show", "p1", "--json"], { cwd });
    const parsed = JSON.parse(json.stdout) as {
      children: Array<{ runId: string; parent: { kind: string } }>;
    };
    expect(parsed.children.map((c) => c.parent.kind)).toEqual(["subgraph", "child"]);
  }, 90_000);

  it("says a fork was forked", () => {
    expect(parentLine({ runId: "p1", step: 3 })).toBe("forked from p1 at step 3");
    expect(parentLine({ runId: "p1", step: 2, taskId: "review", kind: "subgraph" })).toBe(
      "parent: p1 (subgraph of task review at step 2)",
    );
  });

  it("draws a subgraph node as a box holding its graph, nested", async () => {
    const cwd = tempDir("subgraph-graph");
    const drawn = await baton(["graph", FLOW], { cwd });
    expect(drawn.code, drawn.stderr).toBe(0);
    const text = drawn.stdout;
    expect(text.startsWith("flowchart TD\n")).toBe(true);
    expect(text).toContain('  subgraph review["review"]\n');
    expect(text).toContain('    review__draft["draft"]\n');
    expect(text).toContain('    subgraph review__deep["deep"]\n');
    expect(text).toContain('      review__deep__dig["dig"]\n');
    expect(text).toContain("    review__draft --> review__deep\n");
    expect(text).toContain("  intro --> review\n");
    // Every box is closed: as many `end`s as `subgraph`s.
    const opened = text.split("\n").filter((l) => l.trim().startsWith("subgraph ")).length;
    const closed = text.split("\n").filter((l) => l.trim() === "end").length;
    expect([opened, closed]).toEqual([2, 2]);
  }, 60_000);
});
