import { type Db, query } from "../db.js";
import { checkLease } from "./claim-run.js";

/**
 * Renew `workerId`'s live leases. An expired lease is not renewed even if nobody took the run yet:
 * once expired, the run's queue slot may already have been given to another run, so the worker must
 * stop and let the run be claimed again.
 */
export async function heartbeat(
  db: Db,
  workerId: string,
  runIds: readonly string[],
  leaseMs: number,
): Promise<string[]> {
  checkLease(leaseMs);
  if (runIds.length === 0) return [];
  const rows = await query<{ id: string }>(
    db.pool,
    "heartbeat",
    `UPDATE ${db.schema}.runs
     SET lease_expires_at = statement_timestamp() + $3::float8 * interval '1 millisecond'
     WHERE id = ANY($2::text[]) AND lease_owner = $1 AND lease_expires_at > statement_timestamp()
     RETURNING id`,
    [workerId, [...runIds], leaseMs],
  );
  return rows.map((r) => r.id);
}
