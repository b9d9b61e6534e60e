import type { HistoryEvent, NestedHistoryEvent, RunDetail } from "../../../src/http/api-types.js";
import { clock, duration } from "../lib/format.js";
import { describeEntry } from "../lib/history-text.js";
import { taskKey } from "../lib/history-timeline.js";
import { levelLabel, pathKey } from "../lib/nested-graph.js";

const KNOWN = new Set([
  "run_created",
  "attempt",
  "interrupt_asked",
  "interrupt_answered",
  "wait_started",
  "event_received",
  "event_timed_out",
  "event_sent",
  "woke",
  "cancel_requested",
  "resumed",
  "retried",
  "forked",
  "child_started",
  "owner_taken",
  "owner_lost",
  "stopped",
  "undo",
  "run_finished",
]);

/**
 * The run's history in words, in order: who did what when (also what the keyboard reads). With
 * `nested` (the history of the run and its subgraph runs, merged), each entry of a subgraph run
 * carries its level: `review ›`, `review › deep ›`.
 */
export function HistoryList({
  detail,
  nested,
  onSelect,
}: {
  detail: RunDetail;
  nested?: readonly NestedHistoryEvent[] | undefined;
  onSelect: (rowKey: string) => void;
}) {
  const start = detail.run.createdAt;
  const entries: readonly (HistoryEvent | NestedHistoryEvent)[] = nested?.some((e) => e.level.length > 0)
    ? nested
    : detail.history;
  const levels = entries !== detail.history;
  return (
    <details className="card history" data-testid="history" open={entries.length <= 40}>
      <summary>
        <h2>
          What happened ({entries.length} entries
          {levels ? ", subgraph runs included" : ""}
          {detail.historyMore ? ", more in /history" : ""})
        </h2>
      </summary>
      <ol className="history-list">
        {entries.map((e) => {
          const level = "level" in e ? e.level : [];
          const task = e as { step?: unknown; taskId?: unknown };
          const key =
            level.length === 0 && typeof task.step === "number" && typeof task.taskId === "string"
              ? taskKey(task.step, task.taskId)
              : undefined;
          return (
            <li
              key={`${e.runId}:${e.seq}`}
              data-testid="history-entry"
              data-type={e.type}
              data-level={pathKey(level)}
              className={KNOWN.has(e.type) ? "" : "unknown"}
            >
              <span className="muted" title={new Date(e.at).toISOString()}>
                {clock(e.at)} (+{duration(e.at - start)})
              </span>{" "}
              {level.length > 0 ? (
                <span className="level" data-testid="history-level" title={`in the subgraph run ${e.runId}`}>
                  {levelLabel(level)}
                </span>
              ) : null}{" "}
              {key ? (
                <button type="button" className="link" onClick={() => onSelect(key)}>
                  {describeEntry(e)}
                </button>
              ) : (
                describeEntry(e)
              )}
            </li>
          );
        })}
      </ol>
    </details>
  );
}
