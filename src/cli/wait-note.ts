import type { RunRecord, WaitInfo } from "../engine/records.js";

const at = (ms: number) => new Date(ms).toISOString();

/** What one task waits for, in a few words: "sleeps until …", "waits for event "reply" until …". */
export function waitText(w: WaitInfo): string {
  if (w.kind === "sleep") return `${w.node} sleeps until ${at(w.until)}`;
  return `${w.node} waits for event "${w.event}"${w.until !== undefined ? ` until ${at(w.until)}` : ""}`;
}

/** A waiting run's line for `baton runs`' status column ("sleeping until …"); undefined otherwise. */
export function waitStatus(run: RunRecord): string | undefined {
  if (run.status === "pending" && run.wakeAt !== undefined) return `pending (starts ${at(run.wakeAt)})`;
  if (run.status !== "sleeping" && run.status !== "waiting") return undefined;
  const events = (run.waits ?? []).flatMap((w) => (w.kind === "event" ? [`"${w.event}"`] : []));
  const what = events.length ? ` for ${events.join(", ")}` : "";
  return `${run.status}${what}${run.wakeAt !== undefined ? ` until ${at(run.wakeAt)}` : ""}`;
}
