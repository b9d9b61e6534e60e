import { type Db, query } from "../db.js";

/**
 * End the lease of claim number `attempts`. A run that may still need a worker (pending, running,
 * compensating) becomes claimable at once, as with `releaseRun`; a run that stopped (finished, or
 * interrupted and waiting for a person) is left unleased: whoever resumes it later owns it, and no
 * worker may claim it from under them.
 */
export async function endLease(db: Db, workerId: string, runId: string, attempts: number): Promise<boolean> {
  const rows = await query<{ id: string }>(
    db.pool,
    "endLease",
    `UPDATE ${db.schema}.runs SET lease_owner = NULL,
       lease_expires_at = CASE WHEN status IN ('pending', 'running', 'compensating')
         THEN statement_timestamp() ELSE NULL END
     WHERE id = $2 AND lease_owner = $1 AND attempts = $3
     RETURNING id`,
    [workerId, runId, attempts],
  );
  return rows.length > 0;
}
