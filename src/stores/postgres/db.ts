import type { Pool, PoolClient, QueryResultRow } from "pg";
import { BatonError } from "../../errors.js";

/** A pool or one of its clients: anything a statement can run on. */
export type Queryable = Pick<Pool, "query"> | PoolClient;

/** Where the store's tables live: the pool and the quoted schema name to prefix them with. */
export interface Db {
  readonly pool: Pool;
  /** Already quoted, e.g. `"baton"`: safe to interpolate into SQL. */
  readonly schema: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are interpolated into SQL, so only plain lower-case identifiers are accepted. */
export function quoteSchema(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new BatonError(
      "CONFIG_INVALID",
      `PostgreSQL schema "${name}" must be a lower-case identifier (letters, digits, _; at most 63)`,
    );
  }
  return `"${name}"`;
}

/** Run one statement; a driver error becomes a `STORE` error naming the operation. */
export async function query<R extends QueryResultRow>(
  on: Queryable,
  op: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  try {
    const result = await on.query<R>(text, values);
    return result.rows;
  } catch (error) {
    throw storeError(op, error);
  }
}

/** Run `fn` in one transaction on one client; roll back if it throws. */
export async function transaction<T>(
  pool: Pool,
  op: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storeError(op, error);
  }
  let broken: unknown;
  try {
    await query(client, op, "BEGIN");
    const result = await fn(client);
    await query(client, op, "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError;
    });
    throw error instanceof BatonError ? error : storeError(op, error);
  } finally {
    // A client whose rollback failed is in an unknown state: destroy it instead of reusing it.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** One statement with its parameters; `name` makes it a prepared statement on each connection. */
export interface Statement {
  readonly op: string;
  readonly text: string;
  readonly values: unknown[];
  readonly name?: string;
  /**
   * Statements of one kind issued back to back may be replaced by one (`combine` of their items),
   * to the same effect; only for writes whose rows nobody reads.
   */
  readonly merge?: {
    readonly kind: string;
    readonly item: unknown;
    combine(items: readonly unknown[]): Statement;
  };
}

const names = new Map<string, string>();

/**
 * A statement prepared once per connection and then only bound and executed: the hot-path writes
 * skip parsing and planning. Names are per text (the schema is part of it), so two stores on two
 * schemas never share one.
 */
export function prepared(op: string, text: string, values: unknown[]): Statement {
  let name = names.get(text);
  if (!name) {
    name = `baton_${names.size + 1}`;
    names.set(text, name);
  }
  return { op, text, values, name };
}

/** Run a `Statement` (prepared when it is named); a driver error becomes a `STORE` error. */
export async function execute<R extends QueryResultRow>(on: Queryable, s: Statement): Promise<R[]> {
  try {
    const result = await on.query<R>(
      s.name ? { name: s.name, text: s.text, values: s.values } : s.text,
      s.name ? undefined : s.values,
    );
    return result.rows;
  } catch (error) {
    throw storeError(s.op, error);
  }
}

export function storeError(op: string, error: unknown): BatonError {
  if (error instanceof BatonError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BatonError("STORE", `PostgreSQL ${op} failed: ${message}`, { cause: error });
}

/** SQL reading a timestamptz column as epoch milliseconds (exact for whole milliseconds). */
export const ms = (column: string, as: string) => `(extract(epoch from ${column}) * 1000)::float8 AS ${as}`;

/** SQL turning an epoch-milliseconds parameter into a timestamptz. */
export const ts = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

/** The database clock, cut to whole milliseconds so that times read back equal what JS would hold. */
export const NOW_MS = "date_trunc('milliseconds', statement_timestamp())";
