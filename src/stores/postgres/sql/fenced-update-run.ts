import type { RunPatch } from "../../../engine/records.js";
import { BatonError } from "../../../errors.js";
import type { Fence } from "../cluster-store.js";
import { type Db, NOW_MS, query } from "../db.js";
import { toJsonText } from "../json-codec.js";

type Clearable = "error" | "interrupts" | "cancelRequested";

/** Statuses a worker may still have to execute; any other status stops the run. */
const RUNNABLE = new Set(["pending", "running", "compensating"]);

/**
 * `updateRun` while the fence's lease on the run is held; false when it is not. The same statement
 * as `updateRun` with the lease in its WHERE: an UPDATE re-checks a row changed under it (a takeover
 * committing first) against its newest version before writing. A status that stops the run (it
 * finished, or waits for a person) ends the lease in the same statement, as `endLease` would: the
 * run's queue slot is free the moment it stops, and nothing more can be written under the lease.
 */
export async function updateRunFenced(
  db: Db,
  fence: Fence,
  runId: string,
  patch: RunPatch,
): Promise<boolean> {
  if (fence.kind !== "run" || fence.runId !== runId)
    throw new BatonError("STORE", `Run ${runId} can only be updated under its own lease`, { runId });
  const { clear = [], ...fields } = patch;
  const field = (key: Clearable) => {
    const set = key in fields;
    return [set || clear.includes(key), set ? toJsonText(fields[key]) : null] as const;
  };
  const [touchError, error] = field("error");
  const [touchInterrupts, interrupts] = field("interrupts");
  const [touchCancel, cancel] = field("cancelRequested");
  const rows = await query<{ id: string }>(
    db.pool,
    "updateRun (fenced)",
    `UPDATE ${db.schema}.runs SET
       status = COALESCE($2, status),
       step = COALESCE($3, step),
       graph_hash = COALESCE($4, graph_hash),
       error = CASE WHEN $5::boolean THEN $6::jsonb ELSE error END,
       interrupts = CASE WHEN $7::boolean THEN $8::jsonb ELSE interrupts END,
       cancel_requested = CASE WHEN $9::boolean THEN $10::jsonb ELSE cancel_requested END,
       updated_at = ${NOW_MS},
       lease_owner = CASE WHEN $13::boolean THEN NULL ELSE lease_owner END,
       lease_expires_at = CASE WHEN $13::boolean THEN NULL ELSE lease_expires_at END
     WHERE id = $1 AND lease_owner = $11 AND attempts = $12 AND lease_expires_at > statement_timestamp()
     RETURNING id`,
    [
      runId,
      fields.status ?? null,
      fields.step ?? null,
      fields.graphHash ?? null,
      touchError,
      error,
      touchInterrupts,
      interrupts,
      touchCancel,
      cancel,
      fence.owner,
      fence.attempts,
      fields.status !== undefined && !RUNNABLE.has(fields.status),
    ],
  );
  return rows.length > 0;
}
