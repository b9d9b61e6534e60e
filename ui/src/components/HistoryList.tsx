import type { RunDetail } from "../../../src/http/api-types.js";
import { clock, duration } from "../lib/format.js";
import { describeEntry } from "../lib/history-text.js";
import { taskKey } from "../lib/history-timeline.js";

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
  "owner_taken",
  "owner_lost",
  "stopped",
  "undo",
  "run_finished",
]);

/** The run's history in words, in order: who did what when (also what the keyboard reads). */
export function HistoryList({ detail, onSelect }: { detail: RunDetail; onSelect: (rowKey: string) => void }) {
  const start = detail.run.createdAt;
  return (
    <details className="card history" data-testid="history" open={detail.history.length <= 40}>
      <summary>
        <h2>
          What happened ({detail.history.length} entries{detail.historyMore ? ", more in /history" : ""})
        </h2>
      </summary>
      <ol className="history-list">
        {detail.history.map((e) => {
          const task = e as { step?: unknown; taskId?: unknown };
          const key =
            typeof task.step === "number" && typeof task.taskId === "string"
              ? taskKey(task.step, task.taskId)
              : undefined;
          return (
            <li
              key={e.seq}
              data-testid="history-entry"
              data-type={e.type}
              className={KNOWN.has(e.type) ? "" : "unknown"}
            >
              <span className="muted" title={new Date(e.at).toISOString()}>
                {clock(e.at)} (+{duration(e.at - start)})
              </span>{" "}
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
