import { useState } from "react";
import { useMedia } from "../hooks.js";
import { duration } from "../lib/format.js";
import {
  type Bar,
  type Mark,
  type Timeline as Model,
  type TimelineRow,
  WAITING_KINDS,
} from "../lib/history-timeline.js";
import { makeScale, type ScaleMode } from "../lib/time-scale.js";

const KINDS: Array<[Bar["kind"], string]> = [
  ["succeeded", "attempt ok"],
  ["failed", "attempt failed"],
  ["timeout", "timed out"],
  ["cancelled", "cancelled"],
  ["running", "running"],
  ["waiting", "waiting for input"],
  ["backoff", "retry backoff"],
  ["undo", "undo"],
  ["undo-failed", "undo failed"],
];

/**
 * The run as rows of bars on a time axis (HTML, not a scaled SVG, so text keeps its size on a
 * phone). Labels and notes have their own columns: they never overlap a bar or each other. Every
 * bar and mark is a button: focus or click shows what it was.
 */
export function Timeline(props: {
  timeline: Model;
  selected: string | undefined;
  onSelect: (rowKey: string) => void;
}) {
  const tl = props.timeline;
  const [mode, setMode] = useState<ScaleMode>("compressed");
  const [focus, setFocus] = useState<string | undefined>();
  const narrow = useMedia("(max-width: 640px)");
  if (tl.rows.length === 0 && tl.marks.length <= 1) return <p className="muted">No node has run yet.</p>;
  const points = tl.rows
    .flatMap((r) => r.bars.flatMap((b) => [b.start, b.end]))
    .concat(tl.marks.map((m) => m.at));
  // A phone's track is a third as wide: ticks need three times the room in percent.
  const scale = makeScale(tl.start, tl.end, points, mode, narrow ? 40 : 14);
  const undoAt = tl.rows.findIndex((r) => r.group === "undo");
  return (
    <div className="timeline" data-testid="run-timeline" data-scale={mode}>
      <div className="tl-tools">
        <span className="muted">scale</span>
        {(["compressed", "linear"] as const).map((m) => (
          <button
            key={m}
            type="button"
            className={`chip${m === mode ? " on" : ""}`}
            aria-pressed={m === mode}
            data-testid={`scale-${m}`}
            onClick={() => setMode(m)}
          >
            {m === "compressed" ? "compressed (short steps readable)" : "linear (true to the clock)"}
          </button>
        ))}
      </div>
      <div className="tl-grid">
        <div className="tl-row tl-axis" aria-hidden="true">
          <div className="tl-label" />
          <div className="tl-track">
            {scale.ticks.map((t) => (
              <span key={t.at} className="tl-tick" style={{ left: `${t.pct}%` }}>
                {t.at === tl.start ? "0" : `+${duration(t.at - tl.start)}`}
              </span>
            ))}
          </div>
          <div className="tl-note" />
        </div>
        <div className="tl-row tl-marks">
          <div className="tl-label muted">events</div>
          <div className="tl-track">
            {tl.marks.map((m) => (
              <button
                key={m.seq}
                type="button"
                className={`tl-mark tone-${m.tone}`}
                style={{ left: `${scale.x(m.at)}%` }}
                data-testid="timeline-mark"
                data-type={m.type}
                aria-label={`${m.label}, at +${duration(m.at - tl.start)}`}
                title={`${m.label} (+${duration(m.at - tl.start)})`}
                onFocus={() => setFocus(markText(m, tl.start))}
                onClick={() => (m.rowKey ? props.onSelect(m.rowKey) : setFocus(markText(m, tl.start)))}
              />
            ))}
          </div>
          <div className="tl-note" />
        </div>
        {tl.rows.map((row, i) => (
          <Row
            key={row.key}
            row={row}
            first={i === undoAt}
            x={scale.x}
            start={tl.start}
            selected={row.key === props.selected}
            onSelect={props.onSelect}
            onFocusBar={setFocus}
          />
        ))}
      </div>
      <p className="tl-focus" data-testid="timeline-focus" aria-live="polite">
        {focus ?? "Click or focus a bar or a mark to read it; click a row to see its task."}
      </p>
      <div className="legend">
        {KINDS.map(([k, label]) => (
          <span key={k}>
            <i className={`swatch k-${k}`} /> {label}
          </span>
        ))}
        <span>
          <i className="swatch mark" /> event (cancel, approval, retry, fork, owner)
        </span>
      </div>
    </div>
  );
}

function Row(props: {
  row: TimelineRow;
  first: boolean;
  x: (at: number) => number;
  start: number;
  selected: boolean;
  onSelect: (key: string) => void;
  onFocusBar: (text: string) => void;
}) {
  const { row, x } = props;
  const work = row.bars.filter((b) => !WAITING_KINDS.has(b.kind));
  const spent = work.reduce((n, b) => n + (b.end - b.start), 0);
  const waited = row.bars.filter((b) => WAITING_KINDS.has(b.kind)).reduce((n, b) => n + (b.end - b.start), 0);
  const note = `${duration(spent)}${row.attempts > 1 ? ` · ${row.attempts} attempts` : ""}${waited > 0 ? ` · waited ${duration(waited)}` : ""}`;
  return (
    <>
      {props.first ? <div className="tl-group">compensation (undo, newest first)</div> : null}
      <div
        className={`tl-row${props.selected ? " selected" : ""}`}
        data-testid="timeline-row"
        data-group={row.group}
        data-node={row.node}
        data-key={row.key}
        data-attempts={row.attempts}
      >
        <div className="tl-label">
          <button type="button" className="link" onClick={() => props.onSelect(row.key)} title={row.label}>
            {row.label}
          </button>
          {row.step !== undefined ? <span className="muted"> · step {row.step}</span> : null}
        </div>
        <div className="tl-track">
          {row.bars.map((b, j) => {
            const text = barText(row, b, props.start);
            return (
              <button
                // biome-ignore lint/suspicious/noArrayIndexKey: bars of a row keep their order.
                key={j}
                type="button"
                className={`tl-bar k-${b.kind}${WAITING_KINDS.has(b.kind) ? " thin" : ""}${b.open ? " open" : ""}`}
                style={{ left: `${x(b.start)}%`, width: `${Math.max(0, x(b.end) - x(b.start))}%` }}
                data-testid="timeline-segment"
                data-kind={b.kind}
                data-attempt={b.attempt ?? ""}
                data-start={b.start}
                data-end={b.end}
                aria-label={text}
                title={text}
                onFocus={() => props.onFocusBar(text)}
                onClick={() => {
                  props.onFocusBar(text);
                  props.onSelect(row.key);
                }}
              />
            );
          })}
        </div>
        <div className="tl-note" data-testid="timeline-note">
          {note}
        </div>
      </div>
    </>
  );
}

function barText(row: TimelineRow, b: Bar, start: number): string {
  const what = b.attempt ? `${b.kind}, attempt ${b.attempt}` : b.kind;
  const when = `+${duration(b.start - start)} to +${duration(b.end - start)}`;
  return `${row.label}: ${what}, ${duration(b.end - b.start)}${b.open ? " so far" : ""} (${when})${b.note ? `: ${b.note}` : ""}`;
}

const markText = (m: Mark, start: number) => `+${duration(m.at - start)}: ${m.label}`;
