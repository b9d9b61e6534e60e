import type { RunPatch } from "../../../engine/records.js";
import { type Db, execute, prepared, type Statement } from "../db.js";
import { runPatchSql } from "./run-patch.js";

/** Apply a patch in one fixed statement (see `runPatchSql`). An unknown run is left alone. */
export async function updateRun(db: Db, runId: string, patch: RunPatch): Promise<void> {
  await execute(db.pool, updateRunStatement(db, runId, patch));
}

/** `updateRun` as one statement, to run alone or in a run's group commit. */
export function updateRunStatement(db: Db, runId: string, patch: RunPatch): Statement {
  const { set, values } = runPatchSql(patch, 2);
  return prepared("updateRun", `UPDATE ${db.schema}.runs SET ${set} WHERE id = $1`, [runId, ...values]);
}
