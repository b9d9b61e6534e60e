import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";
import { seed } from "./seed.js";

/** `--db <path>`, else `BATON_DATABASE_PATH`, else `.baton/database.db` under the cwd. */
export function databasePathFrom(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const flag = argv.lastIndexOf("--db");
  const given = flag >= 0 ? argv[flag + 1] : undefined;
  return resolve(given ?? env.BATON_DATABASE_PATH ?? ".baton/database.db");
}

/**
 * Opens (creating and seeding on first use) the database file. WAL and a busy timeout let several server
 * processes (one per worker) share the file. Seeding happens once, under a write lock, recorded in
 * `user_version`, so two servers starting together cannot both seed.
 */
export function openDatabase(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  const migrate = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    db.exec(SCHEMA_SQL);
    seed(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  migrate.immediate();
  // Idempotency records only need to outlive a crash-and-resume, not forever.
  db.prepare(
    "DELETE FROM _baton_idempotency WHERE created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')",
  ).run();
  return db;
}
