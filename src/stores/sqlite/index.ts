export type { Durability } from "./connection.js";
export { DEFAULT_DB_PATH, openSqliteStore, resolveDbPath } from "./open.js";
export { SqliteStore, type SqliteStoreOptions } from "./store.js";
