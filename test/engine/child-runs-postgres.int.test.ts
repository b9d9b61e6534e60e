import { vi } from "vitest";
import type { Store } from "../../src/engine/store.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";

/**
 * The scenarios of child-runs.test.ts and subgraphs.test.ts on PostgreSQL, in-process: the same
 * files, their `engineStores` swapped for a fresh PostgresStore (a schema of its own) per test.
 * Skipped, with a warning, where PostgreSQL does not answer.
 */
vi.mock("../helpers/engine-stores.js", async () => {
  const { afterEach, beforeEach } = await import("vitest");
  const pg = await import("../stores/postgres-helpers.js");
  const reachable = await pg.postgresReachable("child runs and subgraphs on PostgreSQL");
  return {
    engineStores(label: string): Array<[string, () => Store]> {
      if (!reachable) return [];
      let open: { store: PostgresStore; schema: string } | undefined;
      beforeEach(async () => {
        const schema = pg.testSchema(label);
        open = { store: await pg.openTestStore(schema), schema };
      });
      afterEach(async () => {
        const done = open;
        open = undefined;
        if (!done) return;
        await done.store.close();
        await pg.dropSchema(done.schema);
      });
      const current = () => {
        if (!open) throw new Error("a PostgreSQL store is opened for each test only");
        return open.store;
      };
      return [["postgres", current]];
    },
  };
});

await import("./child-runs.test.js");
await import("./subgraphs.test.js");
