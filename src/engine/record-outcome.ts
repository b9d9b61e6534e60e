import type { EventListener } from "./events.js";
import type { RunOutcome } from "./loop.js";
import type { RunPatch } from "./records.js";
import { type Store, writeInOrder } from "./store.js";

/**
 * Store how a run ended. When the loop left the run's last checkpoint to store, it goes with the
 * final status, so a store that groups writes commits both at once.
 */
export async function recordOutcome(
  store: Store,
  runId: string,
  outcome: RunOutcome,
  emit: EventListener | undefined,
  now: () => number,
): Promise<void> {
  const patch: RunPatch = {
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.interrupts ? { interrupts: outcome.interrupts } : {}),
    ...(outcome.waits ? { waits: outcome.waits } : {}),
    ...(outcome.wakeAt !== undefined ? { wakeAt: outcome.wakeAt } : {}),
    clear: [
      "cancelRequested",
      ...(outcome.error ? [] : (["error"] as const)),
      ...(outcome.interrupts ? [] : (["interrupts"] as const)),
      ...(outcome.waits ? [] : (["waits"] as const)),
      ...(outcome.wakeAt !== undefined ? [] : (["wakeAt"] as const)),
    ],
  };
  const { checkpoint } = outcome;
  if (!checkpoint) return store.updateRun(runId, patch);
  await writeInOrder(
    store,
    ...(outcome.unsaved ?? []),
    (s) => s.putCheckpoint(checkpoint),
    (s) => s.updateRun(runId, patch),
  );
  emit?.({ type: "checkpoint_saved", runId, at: now(), step: checkpoint.step });
}
