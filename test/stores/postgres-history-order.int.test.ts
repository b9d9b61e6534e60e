import { afterAll, beforeAll, expect, it } from "vitest";
import type { NewHistoryEvent } from "../../src/engine/history.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "./postgres-helpers.js";

/**
 * A run's history on PostgreSQL comes back in the order it was written, past nine entries too, and
 * pages by `after` without skipping any: it is ordered by the `seq` column, not by its text.
 */
const describePg = await describeWithPostgres("PostgreSQL history order");

describePg("PostgreSQL history order", () => {
  const schema = testSchema("hist");
  let store: PostgresStore;
  beforeAll(async () => {
    store = await openTestStore(schema, 2);
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it("lists 120 entries in order, and pages through them by `after`", async () => {
    await store.createRun({
      id: "h1",
      graph: "g",
      graphHash: "x",
      status: "running",
      input: {},
      createdBy: { via: "app" },
    });
    const entry = (i: number): NewHistoryEvent => ({
      runId: "h1",
      at: 1_000 + i,
      type: "stopped",
      by: { via: "app" },
      reason: String(i),
    });
    for (let i = 0; i < 120; i += 10)
      await store.appendHistory(Array.from({ length: 10 }, (_, j) => entry(i + j)));
    const reasons = (events: readonly { type: string }[]) =>
      events.map((e) => Number((e as { reason?: string }).reason));
    const all = await store.listHistory("h1");
    expect(reasons(all)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const paged: number[] = [];
    let after = 0;
    for (;;) {
      const page = await store.listHistory("h1", { after, limit: 25 });
      if (page.length === 0) break;
      paged.push(...reasons(page));
      after = page.at(-1)!.seq;
    }
    expect(paged).toEqual(reasons(all));
  });
});
