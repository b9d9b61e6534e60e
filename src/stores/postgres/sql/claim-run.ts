import { BatonError } from "../../../errors.js";
import type { ClaimedRun } from "../cluster-store.js";
import { type Db, ms, query, transaction } from "../db.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

type ClaimRow = RunRow & {
  lease_owner: string;
  lease_expires_at: number;
  attempts: number;
  previous_owner: string | null;
};

/**
 * Lease one runnable run. Two statements in one transaction, and the split is the point:
 *
 * 1. Lock the rows of the limited queues in scope (`FOR UPDATE`, in name order so claimers cannot
 *    deadlock). Claimers that may take a run from a limited queue queue up here, one at a time.
 * 2. Count live leases per limited queue and lease the oldest runnable run of a queue with room,
 *    skipping runs another claimer has locked (`FOR UPDATE SKIP LOCKED`).
 *
 * In READ COMMITTED every statement reads a snapshot taken when it starts. Had the queue lock and the
 * count been one statement, its snapshot would predate the wait for the lock, and two claimers could
 * both count the same free slot and both take it. As a second statement, the count sees every claim
 * committed by whoever held the lock before. Runs of unlimited queues need no queue lock: `SKIP
 * LOCKED` plus the re-check PostgreSQL makes on a row changed since the snapshot (is the lease still
 * expired?) already stops two claimers from taking one run.
 *
 * Measured (20 claimers, 1,000 runs, one queue, this machine): see `claimThroughput` in the report.
 */
export async function claimRun(
  db: Db,
  workerId: string,
  leaseMs: number,
  queues?: readonly string[],
): Promise<ClaimedRun | undefined> {
  checkLease(leaseMs);
  const scope = queues ? [...queues] : null;
  const rows = await transaction(db.pool, "claimRun", async (client) => {
    await query(
      client,
      "claimRun",
      `SELECT name FROM ${db.schema}.queues
       WHERE concurrency IS NOT NULL AND ($1::text[] IS NULL OR name = ANY($1::text[]))
       ORDER BY name FOR UPDATE`,
      [scope],
    );
    return query<ClaimRow>(client, "claimRun", claimSql(db.schema), [workerId, scope, leaseMs]);
  });
  const row = rows[0];
  if (!row) return undefined;
  return {
    run: runFromRow(row),
    lease: {
      owner: row.lease_owner,
      expiresAt: row.lease_expires_at,
      attempts: row.attempts,
      ...(row.previous_owner !== null ? { previousOwner: row.previous_owner } : {}),
    },
  };
}

const claimSql = (s: string) => `
WITH limited AS (
  SELECT q.name, q.concurrency - (
    SELECT count(*) FROM ${s}.runs AS l
    WHERE l.queue = q.name AND l.lease_owner IS NOT NULL AND l.lease_expires_at > statement_timestamp()
  ) AS free
  FROM ${s}.queues AS q
  WHERE q.concurrency IS NOT NULL AND ($2::text[] IS NULL OR q.name = ANY($2::text[]))
),
candidate AS (
  SELECT r.id, r.lease_owner AS previous_owner
  FROM ${s}.runs AS r
  WHERE r.status IN ('pending', 'running', 'compensating')
    AND (r.lease_expires_at <= statement_timestamp() OR (r.lease_expires_at IS NULL AND r.status = 'pending'))
    AND ($2::text[] IS NULL OR r.queue = ANY($2::text[]))
    AND NOT EXISTS (SELECT 1 FROM limited WHERE limited.name = r.queue AND limited.free <= 0)
  ORDER BY r.seq
  LIMIT 1
  FOR UPDATE OF r SKIP LOCKED
)
UPDATE ${s}.runs AS runs SET
  lease_owner = $1,
  lease_expires_at = statement_timestamp() + $3::float8 * interval '1 millisecond',
  attempts = runs.attempts + 1
FROM candidate
WHERE runs.id = candidate.id
RETURNING ${runColumns("runs")}, runs.lease_owner, ${ms("runs.lease_expires_at", "lease_expires_at")},
  runs.attempts, candidate.previous_owner`;

export function checkLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new BatonError(
      "CONFIG_INVALID",
      `A lease must last a positive number of milliseconds, not ${leaseMs}`,
    );
  }
}
