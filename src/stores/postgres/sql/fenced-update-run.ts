import type { RunPatch } from "../../../engine/records.js";
import { BatonError } from "../../../errors.js";
import type { Fence } from "../cluster-store.js";
import { type Db, NOW_MS, query } from "../db.js";
import { toJsonText } from "../json-codec.js";

type Clearable = "error" | "interrupts" | "cancelRequested";

/**
 * `updateRun` while the fence's lease on the run is held; false when it is not. The same statement
 * as `updateRun` with the lease in its WHERE: an UPDATE re-checks a row changed under it (a takeover
 * committing first) against its newest version before writing.
 */
export async function updateRunFenced(db: Db, fence: Fence, runId: string, patch: RunPatch): Promise<boolean> {
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
       updated_at = ${NOW_MS}
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
    ],
  );
  return rows.length > 0;
}
