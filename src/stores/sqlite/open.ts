import { resolve } from "node:path";
import { SqliteStore, type SqliteStoreOptions } from "./store.js";

/** Where runs are kept when nothing says otherwise: `.baton/baton.db` under the working directory. */
export const DEFAULT_DB_PATH = ".baton/baton.db";

/** The database file: the given path, else `BATON_DB`, else `.baton/baton.db` under the cwd. */
export function resolveDbPath(path?: string): string {
  const chosen = path ?? process.env.BATON_DB ?? DEFAULT_DB_PATH;
  return chosen === ":memory:" || chosen.startsWith("file:") ? chosen : resolve(chosen);
}

/**
 * Open (creating the file, its folder and the schema as needed) the SQLite store.
 *
 * @example
 * const store = openSqliteStore();                       // .baton/baton.db, or $BATON_DB
 * const safe = openSqliteStore("runs.db", { durability: "full" }); // survives power loss
 */
export function openSqliteStore(path?: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(resolveDbPath(path), options);
}
