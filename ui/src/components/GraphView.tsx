import { type KeyboardEvent, type MouseEvent, useMemo, useState } from "react";
import type {
  ChildRunView,
  GraphView as Graph,
  NestedHistoryEvent,
  RunDetail,
} from "../../../src/http/api-types.js";
import { END, START } from "../lib/layout.js";
import {
  BOX_HEADER,
  innerNodeStates,
  type NestedLayout,
  nestedLayout,
  pathKey,
  TOGGLE_ROOM,
} from "../lib/nested-graph.js";
import { type NodeState, nodeStates, takenEdges } from "../lib/overlay.js";
import { navigate } from "../router.js";

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

/** How a level of the drawing shows the run: per node its state, attempts and last outcome; taken edges. */
interface LevelRun {
  readonly state: (node: string) => NodeState | undefined;
  readonly attempts: (node: string) => { max: number; last: string } | undefined;
  readonly taken: ReadonlySet<string>;
  readonly started: boolean;
  readonly completed: boolean;
}

/**
 * The workflow's graph with the run on it: node colours by status, the path taken in bold. A
 * subgraph node is a box holding its own graph (its nodes coloured from `nested`, the nested
 * history), and can be closed to a plain node and opened again.
 */
export function GraphView({
  graph,
  detail,
  nested = [],
  onSelectNode,
}: {
  graph: Graph;
  detail: RunDetail;
  nested?: readonly NestedHistoryEvent[];
  onSelectNode?: (node: string) => void;
}) {
  const states = useMemo(() => nodeStates(graph, detail), [graph, detail]);
  const attempts = useMemo(() => attemptsByNode(detail), [detail]);
  const taken = useMemo(() => takenEdges(graph, detail), [graph, detail]);
  const inner = useMemo(() => innerNodeStates(nested), [nested]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const extraKey = taken
    .filter((e) => e.kind === "taken")
    .map((e) => `${e.from}>${e.to}`)
    .join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the layout changes only with the graph, the edges routers took and the boxes open.
  const layout = useMemo(
    () =>
      nestedLayout(
        graph,
        collapsed,
        taken.filter((e) => e.kind === "taken"),
      ),
    [graph, extraKey, collapsed],
  );
  const top: LevelRun = {
    state: (n) => states.get(n),
    attempts: (n) => attempts.get(n),
    taken: new Set(taken.map((e) => `${e.from}>${e.to}`)),
    started: detail.tasks.some((t) => t.step > 0),
    completed: detail.run.status === "completed",
  };
  const childOf = (node: string) =>
    detail.children.find((c) => c.kind === "subgraph" && c.taskId.split("#")[0] === node);
  const innerRun = (path: readonly string[], done: boolean): LevelRun => {
    const at = (n: string) => inner.get(pathKey([...path, n]));
    return {
      state: (n) => {
        const s = at(n);
        // A cancelled attempt shows through its outcome (see NodeBox).
        return s && s.status !== "cancelled" ? { status: s.status, runs: 1, steps: [] } : undefined;
      },
      attempts: (n) => {
        const s = at(n);
        return s ? { max: s.attempts, last: s.status } : undefined;
      },
      taken: new Set(),
      started: graph.nodes.length > 0 && [...inner.keys()].some((k) => k.startsWith(`${pathKey(path)}/`)),
      completed: done,
    };
  };
  const { width, height } = layout.layout;
  return (
    <div className="graph">
      <svg
        data-testid="run-graph"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
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
        <Level
          level={layout}
          run={top}
          runOf={innerRun}
          collapsed={collapsed}
          onToggle={toggle}
          childOf={childOf}
          {...(onSelectNode ? { onSelectNode } : {})}
        />
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

/** One graph of the drawing (the run's own, or a subgraph's inside its box): edges, joins, nodes, boxes. */
function Level(props: {
  level: NestedLayout;
  run: LevelRun;
  /** How an inner level shows the run; `done`: its subgraph node succeeded (its run reached its end). */
  runOf: (path: readonly string[], done: boolean) => LevelRun;
  collapsed: ReadonlySet<string>;
  onToggle: (key: string) => void;
  /** The subgraph run of a top-level node, to link its box to. */
  childOf: (node: string) => ChildRunView | undefined;
  onSelectNode?: (node: string) => void;
}) {
  const { level, run } = props;
  const { graph, layout, path } = level;
  const nested = path.length > 0;
  const id = (name: string) => (nested ? pathKey([...path, name]) : name);
  const joinTargets = new Set(graph.joins.map((j) => j.to));
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  return (
    <g data-testid={nested ? `graph-level-${pathKey(path)}` : undefined}>
      {layout.edges.map((e) => {
        const on = run.taken.has(`${e.from}>${e.to}`);
        return (
          <g key={`${e.from}>${e.to}>${e.kind}`}>
            <path
              d={e.path}
              className={`gedge k-${e.kind}${on ? " taken" : ""}${e.back ? " back" : ""}`}
              markerEnd={`url(#arrow-${on ? "taken" : "plain"})`}
              data-testid={nested ? "graph-inner-edge" : "graph-edge"}
              data-from={id(e.from)}
              data-to={id(e.to)}
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
          const reached = n.id === START ? run.started : run.completed;
          return (
            <g
              key={n.id}
              data-testid={`graph-node-${id(n.id)}`}
              className={`gterm${reached ? " reached" : ""}`}
            >
              <rect x={n.x} y={n.y + 4} width={n.width} height={n.height - 8} rx={(n.height - 8) / 2} />
              <text x={n.x + n.width / 2} y={n.y + n.height / 2 + 4} textAnchor="middle">
                {n.id === START ? "start" : "end"}
              </text>
            </g>
          );
        }
        const a = run.attempts(n.id);
        const select = !nested && props.onSelectNode ? () => props.onSelectNode?.(n.id) : undefined;
        const box = {
          id: id(n.id),
          x: n.x,
          y: n.y,
          w: n.width,
          h: n.height,
          state: run.state(n.id),
          attempts: a?.max ?? 0,
          lastOutcome: a?.last,
          ...(select ? { onSelect: select } : {}),
        };
        const node = graph.nodes.find((g) => g.name === n.id);
        if (!node?.subgraph) return <NodeBox key={n.id} {...box} />;
        const open = level.inner.get(n.id);
        const key = pathKey([...path, n.id]);
        const child = nested ? undefined : props.childOf(n.id);
        return (
          <g
            key={n.id}
            data-testid={`graph-subgraph-${key}`}
            data-collapsed={open ? "false" : "true"}
            className="gsub"
          >
            {open ? <NodeBox {...box} header={BOX_HEADER} /> : <NodeBox {...box} shift={TOGGLE_ROOM / 2} />}
            <BoxToggle
              x={n.x}
              y={n.y}
              open={open !== undefined}
              name={key}
              onToggle={() => props.onToggle(key)}
            />
            {child && open ? (
              <a
                href={`/runs/${encodeURIComponent(child.id)}`}
                data-testid={`graph-subgraph-run-${key}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/runs/${encodeURIComponent(child.id)}`);
                }}
              >
                <title>{`Open the subgraph's run ${child.id}`}</title>
                <text x={n.x + n.width - 8} y={n.y + 18} textAnchor="end" className="sublink">
                  run ↗
                </text>
              </a>
            ) : null}
            {open ? (
              <g transform={`translate(${n.x},${n.y + BOX_HEADER})`}>
                <Level
                  {...props}
                  level={open}
                  run={props.runOf(open.path, box.state?.status === "succeeded")}
                />
              </g>
            ) : null}
          </g>
        );
      })}
    </g>
  );
}

/** The open/close control of a subgraph box, in its top left corner (a button for the keyboard too). */
function BoxToggle(props: { x: number; y: number; open: boolean; name: string; onToggle: () => void }) {
  const { x, y, open } = props;
  const buttonProps = {
    role: "button",
    tabIndex: 0,
    "aria-expanded": open,
    "aria-label": `${open ? "Close" : "Open"} subgraph ${props.name}`,
    onClick: (e: MouseEvent) => {
      e.stopPropagation();
      props.onToggle();
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        props.onToggle();
      }
    },
  };
  return (
    <g className="subtoggle" data-testid={`graph-subgraph-toggle-${props.name}`} {...buttonProps}>
      <rect x={x + 4} y={y + 5} width={20} height={20} rx={4} />
      <text x={x + 14} y={y + 19} textAnchor="middle">
        {open ? "▾" : "▸"}
      </text>
    </g>
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
  /** An open subgraph box: the name goes in a header strip this tall, not in the middle. */
  header?: number;
  /** The name this far right of the middle (room for a closed subgraph's toggle). */
  shift?: number;
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
      {props.header ? (
        <text x={x + 30} y={y + props.header / 2 + 5} className="subname">
          {id.split("/").at(-1)}
        </text>
      ) : (
        <text x={x + w / 2 + (props.shift ?? 0)} y={y + h / 2 + 4} textAnchor="middle">
          {id.split("/").at(-1)}
        </text>
      )}
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
