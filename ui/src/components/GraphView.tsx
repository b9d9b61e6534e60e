import { type KeyboardEvent, useMemo } from "react";
import type { GraphView as Graph, RunDetail } from "../../../src/http/api-types.js";
import { END, layoutGraph, START } from "../lib/layout.js";
import { type NodeState, nodeStates, takenEdges } from "../lib/overlay.js";

const LEGEND: Array<[string, string]> = [
  ["succeeded", "succeeded"],
  ["running", "running"],
  ["retrying", "retrying"],
  ["interrupted", "waiting"],
  ["failed", "failed"],
  ["cancelled", "cancelled"],
  ["undone", "undone (compensated)"],
  ["idle", "not run"],
];

/** The workflow's graph with the run on it: node colours by status, the path taken in bold. */
export function GraphView({
  graph,
  detail,
  onSelectNode,
}: {
  graph: Graph;
  detail: RunDetail;
  onSelectNode?: (node: string) => void;
}) {
  const states = useMemo(() => nodeStates(graph, detail), [graph, detail]);
  const attempts = useMemo(() => attemptsByNode(detail), [detail]);
  const taken = useMemo(() => takenEdges(graph, detail), [graph, detail]);
  const extraKey = taken
    .filter((e) => e.kind === "taken")
    .map((e) => `${e.from}>${e.to}`)
    .join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the layout changes only with the graph and the edges routers took.
  const layout = useMemo(
    () =>
      layoutGraph(
        graph,
        taken.filter((e) => e.kind === "taken"),
      ),
    [graph, extraKey],
  );
  const takenKeys = new Set(taken.map((e) => `${e.from}>${e.to}`));
  const joinTargets = new Set(graph.joins.map((j) => j.to));
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const completed = detail.run.status === "completed";
  const started = detail.tasks.some((t) => t.step > 0);
  return (
    <div className="graph">
      <svg
        data-testid="run-graph"
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        role="img"
        aria-label={`Graph of ${graph.name}`}
      >
        <defs>
          {["plain", "taken"].map((k) => (
            <marker
              key={k}
              id={`arrow-${k}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth={k === "taken" ? 10 : 8}
              markerHeight={k === "taken" ? 10 : 8}
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" className={`arrowhead ${k}`} />
            </marker>
          ))}
        </defs>
        {layout.edges.map((e) => {
          const on = takenKeys.has(`${e.from}>${e.to}`);
          return (
            <g key={`${e.from}>${e.to}>${e.kind}`}>
              <path
                d={e.path}
                className={`gedge k-${e.kind}${on ? " taken" : ""}${e.back ? " back" : ""}`}
                markerEnd={`url(#arrow-${on ? "taken" : "plain"})`}
                data-testid="graph-edge"
                data-from={e.from}
                data-to={e.to}
                data-taken={on ? "true" : "false"}
              />
              {e.label ? (
                <text x={e.mid.x} y={e.mid.y} className="elabel" textAnchor="middle">
                  {e.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {[...joinTargets].map((to) => {
          const n = byId.get(to);
          return n ? (
            <circle key={`join-${to}`} cx={n.x + n.width / 2} cy={n.y - 7} r={5} className="join" />
          ) : null;
        })}
        {layout.nodes.map((n) => {
          if (n.id === START || n.id === END) {
            const reached = n.id === START ? started : completed;
            return (
              <g
                key={n.id}
                data-testid={`graph-node-${n.id}`}
                className={`gterm${reached ? " reached" : ""}`}
              >
                <rect x={n.x} y={n.y + 4} width={n.width} height={n.height - 8} rx={(n.height - 8) / 2} />
                <text x={n.x + n.width / 2} y={n.y + n.height / 2 + 4} textAnchor="middle">
                  {n.id === START ? "start" : "end"}
                </text>
              </g>
            );
          }
          const s = states.get(n.id);
          const a = attempts.get(n.id);
          return (
            <NodeBox
              key={n.id}
              id={n.id}
              x={n.x}
              y={n.y}
              w={n.width}
              h={n.height}
              state={s}
              attempts={a?.max ?? 0}
              lastOutcome={a?.last}
              {...(onSelectNode ? { onSelect: () => onSelectNode(n.id) } : {})}
            />
          );
        })}
      </svg>
      <div className="legend">
        {LEGEND.map(([k, label]) => (
          <span key={k}>
            <i className={`swatch n-${k}`} /> {label}
          </span>
        ))}
        <span>
          <i className="swatch line" /> path taken
        </span>
      </div>
    </div>
  );
}

function NodeBox(props: {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  state: NodeState | undefined;
  attempts: number;
  lastOutcome: string | undefined;
  onSelect?: () => void;
}) {
  const { id, x, y, w, h, state, attempts } = props;
  // A node whose attempt was cancelled has no record, but it did run: the history says so.
  const status =
    (state?.status ?? "idle") === "idle" && props.lastOutcome === "cancelled"
      ? "cancelled"
      : (state?.status ?? "idle");
  const undo = state?.undo;
  const title = [
    `${id}: ${status}${attempts > 1 ? `, ${attempts} attempts` : ""}`,
    state && state.steps.length > 0 ? `steps ${state.steps.join(", ")}` : "",
    undo ? (undo === "done" ? "undone by the saga" : "undo failed") : "",
  ]
    .filter(Boolean)
    .join("\n");
  return (
    <g
      data-testid={`graph-node-${id}`}
      data-status={status}
      data-undo={undo ?? ""}
      data-attempts={attempts}
      className={`gnode n-${status}${undo ? ` undo-${undo}` : ""}${attempts > 1 ? " retried" : ""}`}
      {...(props.onSelect
        ? {
            role: "button",
            tabIndex: 0,
            "aria-label": title.replaceAll("\n", "; "),
            onClick: props.onSelect,
            onKeyDown: (e: KeyboardEvent) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                props.onSelect?.();
              }
            },
          }
        : {})}
    >
      <title>{title}</title>
      <rect x={x} y={y} width={w} height={h} rx={7} />
      <text x={x + w / 2} y={y + h / 2 + 4} textAnchor="middle">
        {id}
      </text>
      {state && state.runs > 1 ? (
        <text x={x + w - 4} y={y - 3} textAnchor="end" className="runs">
          ×{state.runs}
        </text>
      ) : null}
      {attempts > 1 ? (
        <text x={x + 4} y={y - 3} className="attempts-badge" data-testid={`graph-attempts-${id}`}>
          {attempts} attempts
        </text>
      ) : null}
      {undo ? (
        <g className="undo-badge">
          <circle cx={x + w} cy={y + 2} r={8} />
          <text x={x + w} y={y + 6} textAnchor="middle">
            ↺
          </text>
        </g>
      ) : null}
    </g>
  );
}

/** Per node: the most attempts any of its tasks needed, and how its last attempt ended (from the history). */
function attemptsByNode(detail: RunDetail): Map<string, { max: number; last: string }> {
  const out = new Map<string, { max: number; last: string }>();
  for (const e of detail.history)
    if (e.type === "attempt")
      out.set(e.node, { max: Math.max(out.get(e.node)?.max ?? 0, e.attempt), last: e.outcome });
  return out;
}
