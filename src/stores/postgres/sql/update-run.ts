import { type RunPatch, stopsRun } from "../../../engine/records.js";
import { type Db, NOW_MS, query } from "../db.js";
import { toJsonText } from "../json-codec.js";

type Clearable = "error" | "interrupts" | "cancelRequested";

/**
 * Apply a patch in one fixed statement. Each nullable field is passed as (touch, value): touched
 * when the patch sets it or clears it; a field both set and cleared keeps the new value, as in the
 * memory store. An unknown run is left alone.
 */
export async function updateRun(db: Db, runId: string, patch: RunPatch): Promise<void> {
  const { clear = [], ...fields } = patch;
  const field = (key: Clearable) => {
    const set = key in fields;
    return [set || clear.includes(key), set ? toJsonText(fields[key]) : null] as const;
  };
  const [touchError, error] = field("error");
  const [touchInterrupts, interrupts] = field("interrupts");
  const [touchCancel, cancel] = field("cancelRequested");
  await query(
    db.pool,
    "updateRun",
    `UPDATE ${db.schema}.runs SET
       status = COALESCE($2, status),
       step = COALESCE($3, step),
       graph_hash = COALESCE($4, graph_hash),
       error = CASE WHEN $5::boolean THEN $6::jsonb ELSE error END,
       interrupts = CASE WHEN $7::boolean THEN $8::jsonb ELSE interrupts END,
       cancel_requested = CASE WHEN $9::boolean THEN $10::jsonb ELSE cancel_requested END,
       lease_owner = CASE WHEN $11::boolean THEN NULL ELSE lease_owner END,
       lease_expires_at = CASE WHEN $11::boolean THEN NULL ELSE lease_expires_at END,
       updated_at = ${NOW_MS}
     WHERE id = $1`,
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
      // A status that stops the run ends its lease in the same statement.
      fields.status !== undefined && stopsRun(fields.status),
    ],
  );
}
