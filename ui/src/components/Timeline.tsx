import type { RunDetail } from "../../../src/http/api-types.js";
import { duration } from "../lib/format.js";
import { buildTimeline, type Segment, type TimelineRow } from "../lib/timeline.js";

const LABEL = 200;
const CHART = 680;
const ROW = 22;
const TOP = 26;

const KINDS: Array<[Segment["kind"], string]> = [
  ["succeeded", "attempt ok"],
  ["failed", "attempt failed"],
  ["timeout", "timed out"],
  ["backoff", "retry backoff"],
  ["interrupted", "paused"],
  ["waiting", "waiting for input"],
  ["running", "running"],
  ["undo", "undo"],
  ["undo-failed", "undo failed"],
];

/** A Gantt chart of the run: a row per task (bars per attempt), then a row per undo of the saga. */
export function Timeline({ detail, now }: { detail: RunDetail; now: number }) {
  const tl = buildTimeline(detail, now);
  const span = Math.max(1, tl.end - tl.start);
  const x = (t: number) => LABEL + ((t - tl.start) / span) * CHART;
  const undoAt = tl.rows.findIndex((r) => r.group === "undo");
  const rowY = (i: number) => TOP + i * ROW + (undoAt >= 0 && i >= undoAt ? 18 : 0);
  const height = rowY(tl.rows.length) + 8;
  const ticks = niceTicks(span);
  if (tl.rows.length === 0) return <p className="muted">No node has run yet.</p>;
  return (
    <div className="timeline">
      <svg
        data-testid="run-timeline"
        viewBox={`0 0 ${LABEL + CHART + 12} ${height}`}
        width="100%"
        role="img"
        aria-label="Timeline"
      >
        {ticks.map((t) => (
          <g key={t} className="tick">
            <line x1={x(tl.start + t)} x2={x(tl.start + t)} y1={TOP - 6} y2={height} />
            <text x={x(tl.start + t)} y={TOP - 10} textAnchor="middle">
              {t === 0 ? "0" : `+${duration(t)}`}
            </text>
          </g>
        ))}
        {undoAt >= 0 ? (
          <text x={4} y={rowY(undoAt) - 6} className="group-label">
            compensation (newest first)
          </text>
        ) : null}
        {tl.rows.map((row, i) => (
          <g
            key={row.key}
            data-testid="timeline-row"
            data-group={row.group}
            data-node={row.node}
            data-key={row.key}
          >
            <rect
              x={0}
              y={rowY(i)}
              width={LABEL + CHART + 12}
              height={ROW}
              className={i % 2 ? "band odd" : "band"}
            />
            <text x={6} y={rowY(i) + 15} className="row-label">
              {row.label}
            </text>
            {row.segments.map((s, j) => {
              const left = x(s.start);
              const w = Math.max(3, x(s.end) - left);
              const thin = s.kind === "backoff" || s.kind === "waiting";
              return (
                <rect
                  // biome-ignore lint/suspicious/noArrayIndexKey: segments of a row keep their order.
                  key={j}
                  x={left}
                  y={rowY(i) + (thin ? 9 : 4)}
                  width={w}
                  height={thin ? 4 : ROW - 8}
                  rx={2}
                  className={`seg seg-${s.kind}`}
                  data-testid="timeline-segment"
                  data-kind={s.kind}
                  data-attempt={s.attempt ?? ""}
                >
                  <title>{segmentTitle(row.label, s)}</title>
                </rect>
              );
            })}
            <RowNote row={row} x={x} y={rowY(i) + 15} limit={LABEL + CHART} />
          </g>
        ))}
      </svg>
      <div className="legend">
        {KINDS.map(([k, label]) => (
          <span key={k}>
            <i className={`swatch seg-${k}`} /> {label}
          </span>
        ))}
      </div>
    </div>
  );
}

/** After the row's last bar: how long it took and, when retried, how many attempts. */
function RowNote(props: { row: TimelineRow; x: (t: number) => number; y: number; limit: number }) {
  const segs = props.row.segments;
  if (segs.length === 0) return null;
  const first = segs[0]!.start;
  const last = segs.at(-1)!;
  const attempts = Math.max(0, ...segs.map((s) => s.attempt ?? 0));
  const text = `${duration(last.end - first)}${attempts > 1 ? ` · ${attempts} attempts` : ""}`;
  const at = Math.max(props.x(last.end), props.x(last.start) + 3) + 5;
  // Near the right edge the note goes to the left of the bar instead.
  const left = at + text.length * 6 > props.limit + 10;
  return (
    <text
      x={left ? props.x(first) - 5 : at}
      y={props.y}
      textAnchor={left ? "end" : "start"}
      className="row-note"
    >
      {text}
    </text>
  );
}

function segmentTitle(label: string, s: Segment): string {
  const what = s.attempt ? `${s.kind}, attempt ${s.attempt}` : s.kind;
  return `${label}: ${what}, ${duration(s.end - s.start)}${s.note ? `\n${s.note}` : ""}`;
}

/** Round tick spacing (1, 2, 5 × 10^n ms) giving about six ticks. */
function niceTicks(span: number): number[] {
  const raw = span / 6;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw) ?? base * 10;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}
