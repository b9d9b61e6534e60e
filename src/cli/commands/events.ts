import type { HistoryEvent } from "../../engine/history.js";
import { TERMINAL_STATUSES } from "../../engine/records.js";

const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const iso = (ms: number | undefined) => (ms === undefined ? "?" : new Date(ms).toISOString());
const who = (by: { via: string; who?: string }) => (by.who ? `${by.via} ${by.who}` : by.via);
const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

/** One line per history entry, in recording order: what happened, when, to what, by whom. */
export function historyLine(e: HistoryEvent): string {
  const at = time(e.at);
  switch (e.type) {
    case "run_created":
      return `${at}  created by ${who(e.by)}${e.from ? ` (${e.from.as === "fork" ? "fork" : `${e.from.as} run`} of ${e.from.runId} at step ${e.from.step})` : ""}  input ${short(e.input)}`;
    case "attempt":
      return `${at}  step ${e.step} ${e.taskId} attempt ${e.attempt} ${e.outcome} (${e.finishedAt - e.startedAt} ms, started ${time(e.startedAt)})${e.error ? `: ${e.error.message}` : ""}${e.retryInMs !== undefined ? `; retry in ${e.retryInMs} ms` : ""}`;
    case "interrupt_asked":
      return `${at}  step ${e.step} ${e.taskId} asks ${short(e.payload)}`;
    case "interrupt_answered":
      return `${at}  step ${e.step} ${e.taskId} answered by ${who(e.by)} after ${e.waitedMs} ms: ${short(e.value)}`;
    case "cancel_requested":
      return `${at}  cancel requested by ${who(e.by)}${e.compensate ? " (with compensation)" : ""}`;
    case "resumed":
    case "retried":
      return `${at}  ${e.type} by ${who(e.by)}${e.force ? " (forced: graph changed)" : ""}`;
    case "child_started":
      return `${at}  step ${e.step} ${e.taskId} started ${e.kind} run ${e.childRunId} (${e.graph})`;
    case "forked":
      return `${at}  forked at step ${e.step} by ${who(e.by)} into ${e.toRunId}`;
    case "owner_taken":
      return `${at}  owner ${e.owner.id} (pid ${e.owner.pid} on ${e.owner.host})${e.previous ? ` took over from ${e.previous.id} (${e.why})` : ""}`;
    case "owner_lost":
      return `${at}  owner ${e.owner} lost its lease`;
    case "stopped":
      return `${at}  stopped by ${who(e.by)}: ${e.reason}`;
    case "undo":
      return `${at}  undo ${e.node} attempt ${e.attempt} ${e.outcome} (${e.finishedAt - e.startedAt} ms, started ${time(e.startedAt)})${e.error ? `: ${e.error.message}` : ""}`;
    case "wait_started":
      return e.kind === "sleep"
        ? `${at}  step ${e.step} ${e.taskId} sleeps until ${iso(e.until)}`
        : `${at}  step ${e.step} ${e.taskId} waits for event "${e.event}"${e.until !== undefined ? ` until ${iso(e.until)}` : ""}`;
    case "event_sent":
      return `${at}  event "${e.event}" #${e.eventSeq} sent by ${who(e.by)}`;
    case "event_received":
      return `${at}  step ${e.step} ${e.taskId} received event "${e.event}" #${e.eventSeq}`;
    case "event_timed_out":
      return `${at}  step ${e.step} ${e.taskId} stopped waiting for event "${e.event}": timed out`;
    case "woke":
      return `${at}  woken by ${who(e.by)} (${e.why === "time" ? "its time came" : e.why === "event" ? "an event came" : "its start time came"})`;
    case "state_updated":
      return `${at}  state edited by ${who(e.by)} at step ${e.step}${e.asNode ? ` as node ${e.asNode}` : ""}: ${short(e.update)}`;
    case "run_finished":
      return `${at}  ${TERMINAL_STATUSES.has(e.status) ? "finished" : "stopped,"} ${e.status}${e.error ? `: ${e.error.message}` : ""}`;
  }
}
