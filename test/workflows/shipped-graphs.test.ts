/** The shipped graphs in-process, with a fake tool invoker in place of the MCP servers. */
import { describe, expect, it } from "vitest";
import { ToolError } from "../../src/mcp/errors.js";
import type { McpManager } from "../../src/mcp/manager.js";
import type { ToolInvoker } from "../../src/mcp/types.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { build as buildSaga } from "../../src/workflows/order-saga/index.js";
import { build as buildResearch } from "../../src/workflows/parallel-research/index.js";
import type { WorkflowContext } from "../../src/workflows/types.js";

type Answer = (server: string, tool: string, args: Record<string, unknown>) => unknown;

function context(answer: Answer): WorkflowContext & { calls: string[] } {
  const calls: string[] = [];
  const invoker: ToolInvoker = {
    async callTool<T>(server: string, tool: string, args: Record<string, unknown> = {}) {
      calls.push(`${server}.${tool}`);
      return answer(server, tool, args) as T;
    },
  };
  return { store: new MemoryStore(), mcp: async () => invoker as McpManager, calls };
}

const healthy: Answer = (server, tool, args) => {
  if (tool === "list_allowed_directories") return "Allowed directories:\n/data";
  if (tool === "search_files") return `/data/${String(args.pattern).replaceAll("*", "")}.txt`;
  if (server === "weather") {
    if (args.city === "Tokyo") throw new ToolError("weather", tool, "Unknown city: Tokyo");
    return { city: args.city, temperature: 15, condition: "cloudy", humidity: 75 };
  }
  return { rows: [{ id: 1 }], count: 1 };
};

describe("parallel-research graph", () => {
  it("reports a failed weather call beside the other branches, in the report and in errors", async () => {
    const ctx = context(healthy);
    const graph = buildResearch(ctx);
    const result = await graph.run({ query: "weather in London and Tokyo, files about reports" });
    expect(result.status).toBe("completed");
    const report = result.state.report as Record<string, unknown>;
    expect(report.completed).toEqual(["database", "files", "weather:London"]);
    expect(report.failed).toEqual([
      { branch: "weather:Tokyo", error: expect.stringContaining("Unknown city") },
    ]);
    expect(result.state.errors).toEqual([
      expect.objectContaining({ node: "weather", taskId: "weather:Tokyo", kind: "tool" }),
    ]);
    expect(ctx.calls.filter((c) => c === "database.query")).toHaveLength(3);
  });

  it("a branch that throws (not a tool failure) is recorded by the engine and reported once", async () => {
    const ctx = context((server, tool, args) => {
      if (server === "filesystem") throw new Error("disk on fire");
      return healthy(server, tool, args);
    });
    const result = await buildResearch(ctx).run({ query: "weather in London, files about reports" });
    expect(result.status).toBe("completed");
    const report = result.state.report as { failed: unknown[]; completed: string[] };
    expect(report.failed).toEqual([
      { branch: "files", error: expect.stringContaining("disk on fire"), kind: "error" },
    ]);
    expect(report.completed).toEqual(["database", "weather:London"]);
  });
});

describe("order-saga input", () => {
  it("rejects a misspelt step, a bad quantity and a negative failTimes, and creates no run", async () => {
    const ctx = context(healthy);
    const graph = buildSaga(ctx);
    type Input = Parameters<typeof graph.run>[0];
    const bad: unknown[] = [{ failAt: "ship" }, { quantity: 0 }, { quantity: 1.5 }, { failTimes: -1 }];
    for (const input of bad)
      await expect(graph.run(input as Input)).rejects.toMatchObject({ code: "INPUT_INVALID" });
    expect(await ctx.store.listRuns()).toEqual([]);
    expect(ctx.calls).toEqual([]);
  });

  it("takes a customer id as a number", async () => {
    const ctx = context((_server, tool) => {
      if (tool === "query") return { rows: [] };
      throw new Error("not expected");
    });
    // As `--input '{"customer": 3}'` gives it: JSON, not the state's TypeScript type.
    const result = await buildSaga(ctx).run(JSON.parse('{"customer": 3}'));
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain('Unknown customer "3"');
  });
});
