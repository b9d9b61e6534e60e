import { afterEach, beforeEach, describe } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { controlContract } from "./contract/control.js";
import { durabilityContract } from "./contract/durability.js";
import { recordContract } from "./contract/records.js";
import { scheduleContract } from "./contract/schedules.js";
import { timeEventsContract } from "./contract/time-events.js";

/**
 * The one suite every `Store` must pass: the interface method by method, then the durability
 * contract and run control end to end through `StateGraph(...).compile({ store })`.
 *
 * `makeStore` gives a fresh, empty store for each test; `cleanup` runs after the test, once the
 * store is closed (delete its file, drop its schema).
 *
 * @example
 * storeContract("sqlite", async () => openSqliteStore(tempFile()), (s) => rm((s as SqliteStore).path));
 */
export function storeContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void> | void,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store | undefined;
    const current = (): Store => {
      if (!store) throw new Error("no store: makeStore() failed");
      return store;
    };
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      const s = store;
      store = undefined;
      if (!s) return;
      await s.close();
      await cleanup?.(s);
    });
    describe("records", () => recordContract(current));
    describe("durability", () => durabilityContract(current));
    describe("run control", () => controlContract(current));
    describe("schedules", () => scheduleContract(current));
    describe("time and events", () => timeEventsContract(current));
  });
}
