import type { Pool, PoolClient } from "pg";
import { BatonError } from "../../errors.js";
import { query, quoteSchema, transaction } from "./db.js";
import { MIGRATIONS, type Migration } from "./migrations/index.js";

export const LATEST_VERSION = MIGRATIONS.length;

/**
 * Bring `schema` (unquoted name) up to the latest version. Each migration runs in its own transaction
 * under a transaction-level advisory lock on the schema, and is recorded in `migrations` in that same
 * transaction: two workers starting at once queue on the lock, and the second finds the migration
 * already recorded. A schema newer than this code is refused rather than misread.
 * @internal
 */
export async function migrate(pool: Pool, schema: string, migrations = MIGRATIONS): Promise<number> {
  const quoted = quoteSchema(schema);
  let current = await appliedVersion(pool, quoted);
  checkNotNewer(schema, current, migrations.length);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    current = await transaction(pool, `migration ${migration.version} (${migration.name})`, (client) =>
      applyOne(client, schema, quoted, migration),
    );
  }
  return current;
}

async function applyOne(client: PoolClient, schema: string, quoted: string, m: Migration): Promise<number> {
  const op = `migration ${m.version} (${m.name})`;
  await query(client, op, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `baton:migrate:${schema}`,
  ]);
  // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can otherwise fail on a duplicate key.
  await query(client, op, `CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await query(
    client,
    op,
    `CREATE TABLE IF NOT EXISTS ${quoted}.migrations (
       version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const [row] = await query<{ version: number | null }>(
    client,
    op,
    `SELECT max(version) AS version FROM ${quoted}.migrations`,
  );
  const current = row?.version ?? 0;
  if (current >= m.version) return current;
  if (current !== m.version - 1) {
    throw new BatonError("STORE", `Schema "${schema}" is at version ${current}; cannot apply ${m.version}`);
  }
  await query(client, op, `INSERT INTO ${quoted}.migrations (version, name) VALUES ($1, $2)`, [
    m.version,
    m.name,
  ]);
  await query(client, op, `SET LOCAL search_path TO ${quoted}, pg_catalog`);
  await query(client, op, m.sql);
  return m.version;
}

/** The version without taking any lock: the common case (already migrated) costs one query. */
async function appliedVersion(pool: Pool, quoted: string): Promise<number> {
  const [exists] = await query<{ found: string | null }>(
    pool,
    "reading the schema version",
    "SELECT to_regclass($1) AS found",
    [`${quoted}.migrations`],
  );
  if (!exists?.found) return 0;
  const [row] = await query<{ version: number | null }>(
    pool,
    "reading the schema version",
    `SELECT max(version) AS version FROM ${quoted}.migrations`,
  );
  return row?.version ?? 0;
}

function checkNotNewer(schema: string, current: number, known: number): void {
  if (current > known) {
    throw new BatonError(
      "STORE",
      `Schema "${schema}" is at version ${current}, but this Baton knows versions up to ${known}: upgrade Baton`,
    );
  }
}
