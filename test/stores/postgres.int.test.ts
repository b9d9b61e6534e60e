import { describe, it } from "vitest";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { storeContract } from "./contract.js";
import { dropSchema, openTestStore, postgresReachable, testSchema } from "./postgres-helpers.js";

const suite = "store contract: postgres (postgres.int.test.ts)";

if (await postgresReachable(suite)) {
  // A schema of its own per test: a fresh, empty store that cannot see any other test's runs.
  storeContract(
    "postgres",
    () => openTestStore(testSchema("contract")),
    (store) => dropSchema((store as PostgresStore).schema),
  );
} else {
  describe.skip(`${suite}: PostgreSQL unreachable`, () => {
    it("runs the shared store contract against PostgreSQL", () => undefined);
  });
}
