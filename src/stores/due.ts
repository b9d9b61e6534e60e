import type { RunRecord } from "../engine/records.js";
import { TERMINAL_STATUSES } from "../engine/records.js";
import { BatonError } from "../errors.js";

/** Statuses under which a run waits for its `wakeAt`. */
export const DUE_STATUSES = ["sleeping", "waiting", "pending"] as const;

/**
 * Whether a run nobody holds is due at `now`: its wake time passed, or it waits for an event of a
 * name among `sent` (events kept for it that no wait took yet).
 */
export function isDue(run: RunRecord, now: number, sent: readonly string[]): boolean {
  if (!(DUE_STATUSES as readonly string[]).includes(run.status)) return false;
  if (run.wakeAt !== undefined && run.wakeAt <= now) return true;
  if (run.status !== "waiting" || sent.length === 0) return false;
  return (run.waits ?? []).some((w) => w.kind === "event" && sent.includes(w.event));
}

/** An event may be sent to a run that exists and has not finished. */
export function refuseEvent(runId: string, run: RunRecord | undefined): void {
  if (!run) throw new BatonError("RUN_NOT_FOUND", `No run with id "${runId}"`, { runId });
  if (TERMINAL_STATUSES.has(run.status))
    throw new BatonError("RUN_STATE", `Run ${runId} is ${run.status}: a finished run takes no events`, {
      runId,
    });
}
