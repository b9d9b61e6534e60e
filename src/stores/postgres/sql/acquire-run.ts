import type { AcquireResult, LeaseRequest } from "../../../engine/records.js";
import { thisHost } from "../../liveness.js";
import { type Db, ms, query } from "../db.js";
import { ownerFromRow, type RunRow } from "../rows.js";

type OwnerRow = Pick<RunRow, "owner_id" | "owner_host" | "owner_pid" | "owner_since" | "owner_expires_at">;
/** The owner the update wrote (all NULL when it did not take the lease). */
type NewOwnerRow = { [K in keyof OwnerRow as `new_${K}`]: OwnerRow[K] };

/** A run's owner columns, named `owner_*` (or `<prefix>owner_*`). */
const ownerColumns = (t: string, prefix = "") =>
  `${t}.lease_owner AS ${prefix}owner_id, ${t}.owner_host AS ${prefix}owner_host, ${t}.owner_pid AS ${prefix}owner_pid,
  ${ms(`${t}.owner_since`, `${prefix}owner_since`)}, ${ms(`${t}.lease_expires_at`, `${prefix}owner_expires_at`)}`;

/**
 * Take a run's lease for this process (see `Store.acquireRun`). One UPDATE: PostgreSQL re-checks a
 * row changed under it (a racing acquisition or claim committing first) against its newest version,
 * so of several racers exactly one succeeds. The `before` CTE reads the holder the update replaces,
 * from the same snapshot.
 */
export async function acquireRun(
  db: Db,
  runId: string,
  request: LeaseRequest,
  replace?: string,
): Promise<AcquireResult> {
  const rows = await query<OwnerRow & NewOwnerRow>(
    db.pool,
    "acquireRun",
    `WITH before AS (SELECT ${ownerColumns("r")} FROM ${db.schema}.runs AS r WHERE r.id = $1),
     taken AS (
       UPDATE ${db.schema}.runs AS r SET
         lease_owner = $2,
         owner_host = $3,
         owner_pid = $4,
         owner_since = CASE WHEN r.lease_owner IS NOT DISTINCT FROM $2 THEN r.owner_since ELSE statement_timestamp() END,
         lease_expires_at = statement_timestamp() + $5::float8 * interval '1 millisecond',
         attempts = r.attempts + 1
       WHERE r.id = $1
         AND (r.lease_owner IS NULL OR r.lease_expires_at <= statement_timestamp()
              OR r.lease_owner = $2 OR r.lease_owner = $6)
       RETURNING ${ownerColumns("r", "new_")}
     )
     SELECT before.*, taken.* FROM before LEFT JOIN taken ON true`,
    [runId, request.id, thisHost(), process.pid, request.leaseMs, replace ?? null],
  );
  const row = rows[0];
  if (!row) return { acquired: false, missing: true };
  const previous = ownerFromRow(row);
  if (row.new_owner_id !== null) {
    const owner = ownerFromRow({
      owner_id: row.new_owner_id,
      owner_host: row.new_owner_host,
      owner_pid: row.new_owner_pid,
      owner_since: row.new_owner_since,
      owner_expires_at: row.new_owner_expires_at,
    })!;
    return previous && previous.id !== request.id
      ? { acquired: true, owner, previous }
      : { acquired: true, owner };
  }
  // Lost a race, or the holder is alive: say who holds it now.
  const now = await query<OwnerRow>(
    db.pool,
    "acquireRun",
    `SELECT ${ownerColumns("r")} FROM ${db.schema}.runs AS r WHERE r.id = $1`,
    [runId],
  );
  const holder = now[0] ? ownerFromRow(now[0]) : undefined;
  return holder ? { acquired: false, holder } : { acquired: false };
}
