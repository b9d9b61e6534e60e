import type { NewRun } from "../../../engine/records.js";
import { ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { historyInsert } from "./history.js";
import { taskInsert } from "./put-task.js";

type First = NonNullable<NewRun["first"]>;

/**
 * A new run's first records (its seed task, checkpoint 0, first history entries) as CTEs of the
 * run's own INSERT (`insertRun`'s `also`): each reads `made`, the row just inserted, so they are
 * stored only when the run is created, and the run, its lease and its step 0 are one statement,
 * one round trip and one commit. Why that is safe: nothing of the run exists before that commit,
 * so a crash leaves either all of it or none (and a caller retrying with the same id creates it
 * then). Undefined when there is nothing to add, or when the checkpoint is past step 0 (the run's
 * `step` would then need an UPDATE of the row being inserted, which one statement cannot do).
 */
export function firstRecords(
  schema: string,
  first: First,
): ((from: number) => { sql: string; values: unknown[] }) | undefined {
  const { task, checkpoint, history } = first;
  if (checkpoint && checkpoint.step !== 0) return undefined;
  if (!task && !checkpoint && !history?.length) return undefined;
  return (from) => {
    const parts: string[] = [];
    const values: unknown[] = [];
    if (task) {
      const insert = taskInsert(schema, task, from, "made");
      parts.push(`seeded AS (${insert.sql})`);
      values.push(...insert.values);
    }
    if (checkpoint) {
      const p = (i: number) => `$${from + values.length + i}`;
      parts.push(`step0 AS (
       INSERT INTO ${schema}.checkpoints (run_id, step, next, joins, created_at)
       SELECT ${p(0)}::text, 0, ${p(1)}::jsonb, ${p(2)}::jsonb, ${ts(p(3))} FROM made)`);
      values.push(
        checkpoint.runId,
        toJsonText(checkpoint.next),
        toJsonText(checkpoint.joins),
        checkpoint.createdAt,
      );
    }
    if (history?.length) {
      const insert = historyInsert(schema, history, from + values.length, "EXISTS (SELECT 1 FROM made)");
      parts.push(`logged AS (${insert.sql})`);
      values.push(...insert.values);
    }
    return { sql: parts.join(",\n     "), values };
  };
}
