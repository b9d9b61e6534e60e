import { BatonError } from "../errors.js";
import { type Actor, APP_ACTOR } from "./history.js";
import { checkStoredPayload } from "./interrupt-schema.js";
import type { Store } from "./store.js";
import { noticeWake } from "./wake-notice.js";

export interface SignalOptions {
  /** Who sends the event, for the run's history (default: the application). */
  actor?: Actor;
}

/**
 * Send a named event to a run, from any process that can reach its store: kept until a wait of
 * that name takes it (now, if the run waits for it; later, if it gets there later). A payload the
 * waiting node's schema rejects is refused before anything is kept; so is an event for an unknown
 * or finished run. Returns the event's number.
 */
export async function signalRun(
  store: Store,
  runId: string,
  name: string,
  payload: unknown,
  options: SignalOptions = {},
): Promise<number> {
  if (typeof name !== "string" || name.trim() === "")
    throw new BatonError("INPUT_INVALID", "An event needs a name (a non-empty string)", { runId });
  const run = await store.getRun(runId);
  if (!run) throw new BatonError("RUN_NOT_FOUND", `No run with id "${runId}"`, { runId });
  for (const wait of run.waits ?? [])
    if (wait.kind === "event" && wait.event === name && wait.schema !== undefined)
      checkStoredPayload(wait.schema, payload, `The event "${name}" for node "${wait.node}"`, runId);
  const by = options.actor ?? APP_ACTOR;
  const seq = await store.sendEvent({ runId, name, payload, by });
  await store.appendHistory([{ runId, at: Date.now(), type: "event_sent", event: name, eventSeq: seq, by }]);
  noticeWake(runId);
  return seq;
}
