import type { Lease } from "../cluster-store.js";
import { type Db, ms, query } from "../db.js";

/** The live lease on a run, if a worker holds one. */
export async function getLease(db: Db, runId: string): Promise<Lease | undefined> {
  const rows = await query<{ owner: string; expires_at: number; attempts: number }>(
    db.pool,
    "getLease",
    `SELECT lease_owner AS owner, ${ms("lease_expires_at", "expires_at")}, attempts FROM ${db.schema}.runs
     WHERE id = $1 AND lease_owner IS NOT NULL AND lease_expires_at > statement_timestamp()`,
    [runId],
  );
  const row = rows[0];
  return row ? { owner: row.owner, expiresAt: row.expires_at, attempts: row.attempts } : undefined;
}
