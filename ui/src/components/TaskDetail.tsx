import type { RunDetail } from "../../../src/http/api-types.js";
import { clock, duration } from "../lib/format.js";
import { describeEntry } from "../lib/history-text.js";
import { type TimelineRow, WAITING_KINDS } from "../lib/history-timeline.js";
import { JsonTree } from "./JsonTree.js";

/** One task (or undo) in full: its input (a `Send`'s payload), writes, every attempt and its timing. */
export function TaskDetail(props: { detail: RunDetail; row: TimelineRow; onClose: () => void }) {
  const { detail, row } = props;
  const record = detail.tasks.find((t) => t.step === row.step && t.taskId === row.taskId);
  const attempts = row.bars.filter((b) => !WAITING_KINDS.has(b.kind) && b.kind !== "running");
  const first = row.bars[0];
  const last = row.bars.at(-1);
  const entries = detail.history.filter((e) => {
    const x = e as { step?: number; taskId?: string; taskKey?: string };
    return row.group === "task"
      ? x.step === row.step && x.taskId === row.taskId && e.type !== "attempt"
      : `undo:${x.taskKey}` === row.key && e.type !== "undo";
  });
  return (
    <section
      className="card task-detail"
      data-testid="task-detail"
      data-key={row.key}
      aria-label={`Task ${row.label}`}
    >
      <header className="row-head">
        <h2>
          {row.group === "undo" ? "Undo of " : "Task "}
          <code>{row.label}</code>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close the task detail">
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>node</dt>
        <dd>{row.node}</dd>
        {row.taskId ? (
          <>
            <dt>task</dt>
            <dd>
              <code>{row.taskId}</code>
            </dd>
          </>
        ) : null}
        {row.step !== undefined ? (
          <>
            <dt>step</dt>
            <dd>{row.step}</dd>
          </>
        ) : null}
        {first && last ? (
          <>
            <dt>from first start to last end</dt>
            <dd data-testid="task-span">
              {clock(first.start)} → {clock(last.end)} ({duration(last.end - first.start)})
            </dd>
          </>
        ) : null}
        {record ? (
          <>
            <dt>status</dt>
            <dd data-testid="task-status">{record.status}</dd>
          </>
        ) : null}
      </dl>
      <h3>Attempts</h3>
      <table className="attempts" data-testid="task-attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>started</th>
            <th>took</th>
            <th>outcome</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((b) => (
            <tr key={`${b.attempt}:${b.start}`} data-kind={b.kind}>
              <td>{b.attempt ?? "–"}</td>
              <td>{clock(b.start)}</td>
              <td>{duration(b.end - b.start)}</td>
              <td>{b.kind}</td>
              <td className="wrap">
                {b.error ? (
                  <>
                    {b.error.code ? <code>{b.error.code}</code> : null} {b.error.message}
                  </>
                ) : (
                  ""
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length > 0 ? (
        <ul className="plain">
          {entries.map((e) => (
            <li key={e.seq}>
              {clock(e.at)} · {describeEntry(e)}
            </li>
          ))}
        </ul>
      ) : null}
      {row.input !== undefined ? (
        <>
          <h3>Input (Send payload)</h3>
          <JsonTree value={row.input} testId="task-input" />
        </>
      ) : null}
      {record?.writes?.length ? (
        <>
          <h3>Writes</h3>
          <JsonTree value={Object.fromEntries(record.writes.map(([k, v]) => [k, v]))} testId="task-writes" />
        </>
      ) : null}
    </section>
  );
}
