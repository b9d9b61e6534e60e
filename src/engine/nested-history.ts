import type { HistoryEvent } from "./history.js";
import type { RunRecord } from "./records.js";
import { readHistory } from "./run-history.js";
import type { Store } from "./store.js";

/**
 * A history entry of a run or of one of its subgraph runs: `level` is the path of subgraph nodes
 * from the run asked for down to the run the entry belongs to (`[]` for that run itself,
 * `["review", "deep"]` for the run of node `deep` inside the run of node `review`). `runId` says
 * which run; `seq` stays the entry's place in that run's own history.
 */
export type NestedHistoryEvent = HistoryEvent & { readonly level: readonly string[] };

/** Subgraphs hold subgraphs only as deep as a graph is written; this stops a corrupt store's loop. */
const MAX_DEPTH = 16;
/** Runs linked to one run looked at (its forks and children together). */
const MAX_CHILDREN = 10_000;

/**
 * The run's history with the histories of its subgraph runs (recursively) merged in, by time.
 * Runs started by `ctx.runChild` are separate runs and stay out (their `child_started` entry says
 * where they are), as do forks. Each run's entries keep their own order, all by time; within one
 * millisecond a subgraph run's entries come after the `child_started` that began it and before the
 * outer run's next entries (what the inner work led to: the node's attempt ending, the run pausing).
 */
export function readNestedHistory(store: Store, run: RunRecord): Promise<NestedHistoryEvent[]> {
  return merged(store, run, [], new Set());
}

async function merged(
  store: Store,
  run: RunRecord,
  level: readonly string[],
  seen: Set<string>,
): Promise<NestedHistoryEvent[]> {
  seen.add(run.id);
  const [history, linked] = await Promise.all([
    readHistory(store, run, { limit: Number.MAX_SAFE_INTEGER }),
    store.listRuns({ parent: run.id, limit: MAX_CHILDREN }),
  ]);
  const own: NestedHistoryEvent[] = history.map((e) => ({ ...e, level }));
  const startedAt = new Map<string, { index: number; node: string }>();
  history.forEach((e, index) => {
    if (e.type === "child_started") startedAt.set(e.childRunId, { index, node: e.node });
  });
  const subgraphs = linked
    .filter((r) => r.parent?.runId === run.id && r.parent.kind === "subgraph" && !seen.has(r.id))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  if (subgraphs.length === 0 || level.length >= MAX_DEPTH) return own;
  const inner = await Promise.all(
    subgraphs.map(async (child) => ({
      gate: startedAt.get(child.id)?.index ?? -1,
      events: await merged(
        store,
        child,
        [...level, startedAt.get(child.id)?.node ?? subgraphNode(run, child)],
        seen,
      ),
      next: 0,
    })),
  );
  const out: NestedHistoryEvent[] = [];
  let i = 0;
  for (;;) {
    let best: (typeof inner)[number] | undefined;
    for (const list of inner) {
      const head = list.events[list.next];
      if (head && (!best || head.at < best.events[best.next]!.at)) best = list;
    }
    const mine = own[i];
    const theirs = best?.events[best.next];
    // At a tie the inner entry goes first once its `child_started` is out: the outer entry is its result.
    if (mine && (!theirs || mine.at < theirs.at || (mine.at === theirs.at && best!.gate >= i))) {
      out.push(mine);
      i++;
    } else if (best && theirs) {
      out.push(theirs);
      best.next++;
    } else break;
  }
  return out;
}

/** The node a subgraph run belongs to: its workflow is `<parent's workflow>/<node>`, else its task's node. */
export function subgraphNode(
  parent: Pick<RunRecord, "graph">,
  child: Pick<RunRecord, "graph" | "parent">,
): string {
  const prefix = `${parent.graph}/`;
  if (child.graph.startsWith(prefix)) return child.graph.slice(prefix.length);
  return (child.parent?.taskId ?? child.graph).split("#")[0]!;
}
