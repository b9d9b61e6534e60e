/** One line of plain words for each history entry: the marks, the history list and copied reports. */
import type { Actor, HistoryEvent } from "../../../src/http/api-types.js";
import { brief } from "./format.js";

/** "dana (api)", "cli", "recover (baton serve)". */
export const actorText = (a: Actor | undefined) => (!a ? "someone" : a.who ? `${a.who} (${a.via})` : a.via);

/** Whether an answer to an interrupt approved (true), rejected (false) or said something else. */
export function verdict(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ["approved", "approve", "accept", "accepted", "ok"])
    if (typeof v[key] === "boolean") return v[key] as boolean;
  return undefined;
}

export function describeEntry(e: HistoryEvent): string {
  switch (e.type) {
    case "run_created":
      if (!e.from) return `started by ${actorText(e.by)}`;
      if (e.from.as === "subgraph" || e.from.as === "child")
        return `started as a ${e.from.as} run by ${e.from.runId} (task ${e.from.taskId ?? "?"} at step ${e.from.step})`;
      return `forked from ${e.from.runId} at step ${e.from.step} by ${actorText(e.by)}`;
    case "attempt": {
      const what = `${e.taskId} attempt ${e.attempt}`;
      if (e.outcome === "succeeded") return `${what} succeeded`;
      if (e.outcome === "retrying") return `${what} failed, retrying: ${e.error?.message ?? ""}`;
      return `${what} ${e.outcome}${e.error ? `: ${e.error.message}` : ""}`;
    }
    case "interrupt_asked":
      return `${e.taskId} asks for input`;
    case "interrupt_answered": {
      const v = verdict(e.value);
      const word = v === true ? "approved" : v === false ? "rejected" : "answered";
      return `${word} by ${actorText(e.by)}: ${brief(e.value, 120)}`;
    }
    case "wait_started": {
      const until = e.until !== undefined ? ` until ${new Date(e.until).toISOString()}` : "";
      return e.kind === "sleep"
        ? `${e.taskId} sleeps${until}`
        : `${e.taskId} waits for event "${e.event ?? "?"}"${until}`;
    }
    case "event_received":
      return `${e.taskId} received event "${e.event}" (#${e.eventSeq})`;
    case "event_timed_out":
      return `${e.taskId} stopped waiting for "${e.event}": timed out`;
    case "event_sent":
      return `event "${e.event}" sent by ${actorText(e.by)}`;
    case "woke":
      return `woke (${e.why}) by ${actorText(e.by)}`;
    case "cancel_requested":
      return `cancel requested by ${actorText(e.by)}${e.compensate ? ", undoing completed steps" : ""}`;
    case "resumed":
      return `resumed by ${actorText(e.by)}${e.force ? " (forced)" : ""}`;
    case "retried":
      return `retried by ${actorText(e.by)}${e.force ? " (forced)" : ""}`;
    case "child_started":
      return `${e.taskId} started its ${e.kind} run ${e.childRunId} (${e.graph})`;
    case "forked":
      return `forked at step ${e.step} into ${e.toRunId} by ${actorText(e.by)}`;
    case "owner_taken":
      return `driven by ${e.owner.host}:${e.owner.pid}${e.previous ? ` (took over from ${e.previous.host}:${e.previous.pid}${e.why ? `, ${e.why}` : ""})` : ""}`;
    case "owner_lost":
      return `owner ${e.owner} lost the run`;
    case "stopped":
      return `stopped by ${actorText(e.by)}: ${e.reason}`;
    case "undo":
      return `undo ${e.node} attempt ${e.attempt} ${e.outcome}${e.error ? `: ${e.error.message}` : ""}`;
    case "run_finished":
      return `run ${e.status.replace("_", " ")}${e.error && e.error.code !== "RUN_CANCELLED" ? `: ${e.error.message}` : ""}`;
    default:
      return unknownEntry(e);
  }
}

/** An entry kind this page does not know yet: its name in words and its fields, briefly. */
function unknownEntry(e: HistoryEvent): string {
  const { type, runId: _r, at: _a, seq: _s, ...rest } = e as unknown as Record<string, unknown>;
  const fields = Object.keys(rest).length ? ` ${brief(rest, 100)}` : "";
  return `${String(type).replaceAll("_", " ")}${fields}`;
}
