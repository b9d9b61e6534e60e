import type { RunPatch } from "../../../engine/records.js";
import { BatonError } from "../../../errors.js";
import type { Fence } from "../cluster-store.js";
import { type Db, prepared, type Statement } from "../db.js";
import { runPatchSql } from "./run-patch.js";

/**
 * `updateRun` while the fence's lease on the run is held; false when it is not. The same SET list
 * as `updateRun` (`runPatchSql`) with the lease in its WHERE: an UPDATE re-checks a row changed under it (a takeover
 * committing first) against its newest version before writing. A status that stops the run (it
 * finished, or waits for a person) ends the lease in the same statement, as `endLease` would: the
 * run's queue slot is free the moment it stops, and nothing more can be written under the lease.
 */
export function updateRunFencedStatement(db: Db, fence: Fence, runId: string, patch: RunPatch): Statement {
  if (fence.kind !== "run" || fence.runId !== runId)
    throw new BatonError("STORE", `Run ${runId} can only be updated under its own lease`, { runId });
  const { set, values } = runPatchSql(patch, 4);
  return prepared(
    "updateRun (fenced)",
    `UPDATE ${db.schema}.runs SET ${set}
     WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND lease_expires_at > statement_timestamp()
     RETURNING id`,
    [runId, fence.owner, fence.attempts, ...values],
  );
}
