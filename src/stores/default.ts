import { setDefaultStoreProvider } from "../engine/default-store.js";
import { openSqliteStore } from "./sqlite/open.js";

/**
 * Make `compile()` without a store keep its runs in SQLite (`.baton/baton.db`, or `BATON_DB`).
 * The file is opened on first use, once per process, and shared by every graph.
 */
export function registerDefaultStore(): void {
  setDefaultStoreProvider(() => openSqliteStore());
}
