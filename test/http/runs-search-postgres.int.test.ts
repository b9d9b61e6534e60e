/** The runs list's search on PostgreSQL: the same answers as on SQLite (see runs-search.test.ts). */
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunStatus } from "../../src/engine/records.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import {
  describeWithPostgres,
  dropSchema,
  openTestStore,
  PG_URL,
  testSchema,
} from "../stores/postgres-helpers.js";

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

const bigSchema = testSchema("search100k");
let big: PostgresStore;

describePg("runs search on PostgreSQL at 100,000 runs", () => {
  beforeAll(async () => {
    big = await openTestStore(bigSchema);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      // The same spread as the SQLite store of generated-runs.ts, in one statement.
      await client.query(`INSERT INTO ${bigSchema}.runs (id, graph, graph_hash, status, input, step, created_at, updated_at)
        SELECT 'gen-' || lpad(i::text, 6, '0'),
          (ARRAY['order-saga', 'support-router', 'parallel-research'])[i % 3 + 1], 'h',
          (ARRAY['completed', 'completed', 'completed', 'failed', 'compensated', 'interrupted', 'cancelled', 'completed'])[i % 8 + 1],
          jsonb_build_object('query', 'weather in ' || (ARRAY['London', 'Tokyo', 'Sydney', 'New York', 'Paris'])[i % 5 + 1] || ' #' || i),
          3, to_timestamp((1767225600000 + i * 1000) / 1000.0), to_timestamp((1767225600000 + i * 1000 + (i % 13) * 37) / 1000.0)
        FROM generate_series(0, 99999) AS i`);
      await client.query(`ANALYZE ${bigSchema}.runs`);
    } finally {
      await client.end();
    }
  }, 60_000);
  afterAll(async () => {
    await big?.close();
    await dropSchema(bigSchema);
  });

  it("answers pages, filters and searches in bounded time", async () => {
    const timed = async (label: string, search: Parameters<PostgresStore["searchRuns"]>[0]) => {
      await big.searchRuns(search);
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        total = (await big.searchRuns(search)).total;
        times.push(performance.now() - t);
      }
      const median = times.sort((a, b) => a - b)[2]!;
      console.log(`PostgreSQL searchRuns ${label}: ${median.toFixed(1)} ms (median of 5), total ${total}`);
      return { ms: median, total };
    };
    const first = await timed("first page", { limit: 50 });
    expect(first.total).toBe(100_000);
    const filtered = await timed("status + workflow", {
      statuses: ["failed"],
      graph: "order-saga",
      limit: 50,
    });
    expect(filtered.total).toBe(4167);
    const deep = await timed("last page", { limit: 50, offset: 99_950 });
    const text = await timed("text search", { text: "sydney", limit: 50 });
    expect(text.total).toBe(20_000);
    for (const t of [first, filtered, deep, text]) expect(t.ms).toBeLessThan(3_000);
  }, 60_000);
});
