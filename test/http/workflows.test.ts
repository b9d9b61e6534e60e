import { afterEach, describe, expect, it } from "vitest";
import { client, type TestApp, testApp } from "./fixtures.js";

let t: TestApp;
afterEach(async () => t?.close());

describe("workflows API", () => {
  it("lists the workflows a run can start with", async () => {
    t = testApp();
    const { body } = await client(t.app).get("/api/workflows");
    expect(body.workflows.map((w: { name: string }) => w.name)).toEqual(["mini-saga", "approval", "flaky"]);
  });

  it("describes a graph: nodes with their options, edges, joins, and branches with path maps", async () => {
    t = testApp();
    const saga = (await client(t.app).get("/api/workflows/mini-saga/graph")).body;
    expect(saga.name).toBe("mini-saga");
    expect(saga.hash).toMatch(/^[0-9a-f]+$/);
    expect(saga.nodes[0]).toEqual({
      name: "reserve",
      retryAttempts: 2,
      compensates: true,
      onError: "fail",
      ends: [],
    });
    expect(saga.edges).toEqual([
      { from: "__start__", to: "reserve" },
      { from: "reserve", to: "pay" },
      { from: "reserve", to: "notify" },
      { from: "ship", to: "__end__" },
    ]);
    expect(saga.joins).toEqual([{ from: ["pay", "notify"], to: "ship" }]);
    expect(saga.mermaid).toContain("flowchart TD");
    const approval = (await client(t.app).get("/api/workflows/approval/graph")).body;
    expect(approval.branches).toEqual([{ from: "triage", paths: { needs_human: "ask", fine: "auto" } }]);
  });

  it("draws a graph as Mermaid text on request, and 404s an unknown workflow", async () => {
    t = testApp();
    const res = await t.app.request("/api/workflows/approval/graph?format=mermaid");
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain("triage -.->|needs_human| ask");
    const unknown = await client(t.app).get("/api/workflows/none/graph");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('Unknown workflow "none"');
    expect((await client(t.app).get("/api/workflows/approval/graph?format=png")).body.error.field).toBe(
      "format",
    );
  });
});
