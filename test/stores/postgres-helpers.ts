import pg from "pg";
import { describe } from "vitest";
import { PostgresStore } from "../../src/stores/postgres/index.js";

/** The PostgreSQL the integration tests use: `BATON_PG_URL`, else the local test database. */
export const PG_URL = process.env.BATON_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Whether PostgreSQL answers; if not, say so loudly. A machine without PostgreSQL must neither fail
 * these suites nor pass them silently: they are skipped, with a warning saying why. Where PostgreSQL
 * must be there (CI), `BATON_PG_REQUIRED=1` turns the skip into a failure.
 */
export async function postgresReachable(suite: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    if (process.env.BATON_PG_REQUIRED === "1") {
      throw new Error(`${suite}: PostgreSQL is required (BATON_PG_REQUIRED=1) but unreachable at ${PG_URL}`, {
        cause: error,
      });
    }
    console.warn(
      `\n⚠️  SKIPPED ${suite}: PostgreSQL is unreachable at ${PG_URL} (${(error as Error).message}).\n` +
        "   Start PostgreSQL or set BATON_PG_URL to run these tests.\n",
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `describe` when PostgreSQL answers, else `describe.skip` (after the warning). */
export async function describeWithPostgres(suite: string): Promise<typeof describe> {
  return (await postgresReachable(suite)) ? describe : (describe.skip as typeof describe);
}

/** A fresh schema name per test file, so parallel files and engineers never share tables. */
export const testSchema = (label: string) =>
  `baton_test_${label}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

export function openTestStore(schema: string, maxConnections = 4): Promise<PostgresStore> {
  return PostgresStore.open({ url: PG_URL, schema, maxConnections });
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
