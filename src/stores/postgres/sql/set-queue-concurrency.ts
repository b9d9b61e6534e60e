import { BatonError } from "../../../errors.js";
import { type Db, query } from "../db.js";

/** Takes effect at the next claim; runs already leased beyond a lowered limit are left to finish. */
export async function setQueueConcurrency(db: Db, queue: string, concurrency: number | null): Promise<void> {
  if (concurrency !== null && !(Number.isInteger(concurrency) && concurrency >= 0)) {
    throw new BatonError(
      "CONFIG_INVALID",
      `Queue "${queue}" concurrency must be a whole number ≥ 0 or null, not ${concurrency}`,
    );
  }
  await query(
    db.pool,
    "setQueueConcurrency",
    `INSERT INTO ${db.schema}.queues (name, concurrency) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, updated_at = now()`,
    [queue, concurrency],
  );
}
