import type { Database } from "better-sqlite3";
import { BatonError } from "../../errors.js";
import { MIGRATIONS, type Migration } from "./migrations/index.js";

const LEDGER = `CREATE TABLE IF NOT EXISTS migrations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/**
 * Bring the schema up to date. Each migration runs in its own `BEGIN IMMEDIATE` transaction that
 * first records it, then applies it: a second process starting at the same moment waits on the
 * write lock (busy_timeout), then finds the record and skips. A database already up to date costs
 * one read and takes no write lock.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.at(-1)?.id ?? 0;
  const applied = appliedUpTo(db);
  if (applied > latest) {
    throw new BatonError(
      "STORE",
      `The database ${db.name} has schema version ${applied}, newer than this Baton knows (${latest}); upgrade Baton`,
    );
  }
  if (applied === latest) return;
  for (const migration of migrations) {
    if (migration.id <= applied) continue;
    db.transaction(() => {
      db.exec(LEDGER);
      const done = db.prepare("SELECT 1 FROM migrations WHERE id = ?").get(migration.id);
      if (done) return;
      db.prepare("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
        migration.id,
        migration.name,
        Date.now(),
      );
      db.exec(migration.sql);
    }).immediate();
  }
}

/** The highest migration recorded, 0 for a new database. */
export function appliedUpTo(db: Database): number {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").get();
  if (!ledger) return 0;
  const row = db.prepare("SELECT max(id) AS id FROM migrations").get() as { id: number | null };
  return row.id ?? 0;
}
