import { type RunPatch, stopsRun } from "../../../engine/records.js";
import { NOW_MS, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";

type Clearable = "error" | "interrupts" | "waits" | "cancelRequested";

/**
 * The SET list of a run patch, one fixed shape for every patch (so the statement stays prepared),
 * with its parameters numbered from `$first`. Each nullable field is passed as (touch, value):
 * touched when the patch sets or clears it; a field both set and cleared keeps the new value, as
 * in the memory store. A status that stops the run ends its lease in the same statement.
 */
export function runPatchSql(patch: RunPatch, first: number): { set: string; values: unknown[] } {
  const { clear = [], ...fields } = patch;
  const field = (key: Clearable) => {
    const set = key in fields;
    return [set || clear.includes(key), set ? toJsonText(fields[key]) : null] as const;
  };
  const p = (i: number) => `$${first + i}`;
  const set = `status = COALESCE(${p(0)}, status),
       step = COALESCE(${p(1)}::int, step),
       graph_hash = COALESCE(${p(2)}, graph_hash),
       error = CASE WHEN ${p(3)}::boolean THEN ${p(4)}::jsonb ELSE error END,
       interrupts = CASE WHEN ${p(5)}::boolean THEN ${p(6)}::jsonb ELSE interrupts END,
       cancel_requested = CASE WHEN ${p(7)}::boolean THEN ${p(8)}::jsonb ELSE cancel_requested END,
       waits = CASE WHEN ${p(9)}::boolean THEN ${p(10)}::jsonb ELSE waits END,
       wake_at = CASE WHEN ${p(11)}::boolean THEN ${ts(p(12))} ELSE wake_at END,
       lease_owner = CASE WHEN ${p(13)}::boolean THEN NULL ELSE lease_owner END,
       lease_expires_at = CASE WHEN ${p(13)}::boolean THEN NULL ELSE lease_expires_at END,
       updated_at = ${NOW_MS}`;
  return {
    set,
    values: [
      fields.status ?? null,
      fields.step ?? null,
      fields.graphHash ?? null,
      ...field("error"),
      ...field("interrupts"),
      ...field("cancelRequested"),
      ...field("waits"),
      "wakeAt" in fields || clear.includes("wakeAt"),
      fields.wakeAt ?? null,
      fields.status !== undefined && stopsRun(fields.status),
    ],
  };
}
