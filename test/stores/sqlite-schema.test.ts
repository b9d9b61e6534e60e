import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { appliedUpTo, migrate } from "../../src/stores/sqlite/migrate.js";
import { MIGRATIONS } from "../../src/stores/sqlite/migrations/index.js";

const SNAPSHOT = join(import.meta.dirname, "../../src/stores/sqlite/schema.sql");
const HEADER =
  "-- The SQLite schema the migrations produce (src/stores/sqlite/migrations). Generated: do not edit.\n" +
  "-- After adding a migration: UPDATE_SCHEMA=1 npx vitest run test/stores/sqlite-schema.test.ts\n";

const dir = mkdtempSync(join(tmpdir(), "baton-schema-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dump(db: Database.Database): string {
  const rows = db
    .prepare(
      "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY tbl_name, type DESC, name",
    )
    .all() as Array<{ sql: string }>;
  return HEADER + rows.map((r) => `${r.sql.trim()};\n`).join("\n");
}

describe("SQLite schema", () => {
  it("matches the committed snapshot src/stores/sqlite/schema.sql", async () => {
    const store = openSqliteStore(join(dir, "snapshot.db"));
    const live = dump(store.db);
    await store.close();
    if (process.env.UPDATE_SCHEMA) writeFileSync(SNAPSHOT, live);
    expect(live).toBe(readFileSync(SNAPSHOT, "utf8"));
  });

  it("records each migration once; opening an up-to-date file applies nothing", async () => {
    const path = join(dir, "twice.db");
    const first = openSqliteStore(path);
    const applied = first.db.prepare("SELECT id, name FROM migrations ORDER BY id").all();
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
    await first.close();
    const second = openSqliteStore(path);
    expect(second.db.prepare("SELECT count(*) AS n FROM migrations").get()).toEqual({ n: MIGRATIONS.length });
    await second.close();
  });

  it("applies only the migrations a file lacks, each in its own transaction", () => {
    const db = new Database(join(dir, "partial.db"));
    const steps = [
      { id: 1, name: "one", sql: "CREATE TABLE one (x INTEGER);" },
      { id: 2, name: "two", sql: "CREATE TABLE two (x INTEGER);" },
      { id: 3, name: "broken", sql: "CREATE TABLE three (x INTEGER); CREATE TABLE one (y INTEGER);" },
    ];
    migrate(db, steps.slice(0, 1));
    expect(appliedUpTo(db)).toBe(1);
    expect(() => migrate(db, steps)).toThrow(/already exists/);
    // Migration 2 committed on its own; the broken third left nothing behind, not even its record.
    expect(appliedUpTo(db)).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'three'").get()).toBeUndefined();
    db.close();
  });

  it("refuses a database written by a newer Baton", () => {
    const db = new Database(join(dir, "newer.db"));
    migrate(db, [...MIGRATIONS, { id: 999, name: "future", sql: "CREATE TABLE future (x INTEGER);" }]);
    expect(() => migrate(db)).toThrow(/newer than this Baton knows/);
    db.close();
  });
});
