/** The runs list's search on PostgreSQL: the same answers as on SQLite (see runs-search.test.ts). */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunStatus } from "../../src/engine/records.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "../stores/postgres-helpers.js";

const describePg = await describeWithPostgres("runs search on PostgreSQL");
const schema = testSchema("search");
let store: PostgresStore;

describePg("runs search on PostgreSQL", () => {
  beforeAll(async () => {
    store = await openTestStore(schema);
    const statuses: RunStatus[] = ["completed", "failed", "cancelled"];
    for (let i = 0; i < 30; i++)
      await store.createRun({
        id: `pg-${String(i).padStart(3, "0")}`,
        graph: i % 2 ? "order-saga" : "support-router",
        graphHash: "h",
        status: statuses[i % 3]!,
        input: { query: `weather in ${i % 5 === 0 ? "Tokyo" : "Paris"} 100%_off` },
      });
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it("pages newest first with the total and counts per status, and combines filters", async () => {
    const first = await store.searchRuns({ limit: 10 });
    expect(first.total).toBe(30);
    expect(first.runs[0]!.id).toBe("pg-029");
    expect(first.counts).toEqual({ completed: 10, failed: 10, cancelled: 10 });
    const page = await store.searchRuns({ limit: 10, offset: 25 });
    expect(page.runs.map((r) => r.id)).toEqual(["pg-004", "pg-003", "pg-002", "pg-001", "pg-000"]);
    const both = await store.searchRuns({
      statuses: ["failed", "cancelled"],
      graph: "order-saga",
      limit: 100,
    });
    expect(both.runs.every((r) => r.graph === "order-saga" && r.status !== "completed")).toBe(true);
    expect(both.total).toBe(both.runs.length);
    expect(both.counts.completed).toBe(5);
  });

  it("finds by part of the id or the input, case-insensitively, with wildcards taken literally", async () => {
    expect((await store.searchRuns({ text: "PG-01" })).total).toBe(10);
    expect((await store.searchRuns({ text: "tokyo" })).total).toBe(6);
    expect((await store.searchRuns({ text: "100%_off" })).total).toBe(30);
    expect((await store.searchRuns({ text: "0%o" })).total).toBe(0);
  });

  it("sorts and narrows by time", async () => {
    const asc = await store.searchRuns({ sort: "created", order: "asc", limit: 2 });
    expect(asc.runs.map((r) => r.id)).toEqual(["pg-000", "pg-001"]);
    const byGraph = await store.searchRuns({ sort: "graph", order: "asc", limit: 30 });
    expect(byGraph.runs[0]!.graph).toBe("order-saga");
    const all = await store.searchRuns({ limit: 30 });
    const mid = all.runs[15]!.createdAt;
    const later = await store.searchRuns({ from: mid, limit: 30 });
    expect(later.runs.every((r) => r.createdAt >= mid)).toBe(true);
    expect((await store.searchRuns({ to: 0 })).total).toBe(0);
  });
});
