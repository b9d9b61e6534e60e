import type { Store } from "../../src/engine/store.js";
import { NonRetryableError } from "../../src/errors.js";
import { StateGraph } from "../../src/graph/builder.js";
import { append, reduce } from "../../src/graph/channels.js";
import { Send } from "../../src/graph/commands.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState } from "../../src/graph/state.js";
import { sleep, workerHere } from "./helpers.js";

/** What every test node did, in this process: `node@worker` per execution, undo included. */
export const executions: string[] = [];
/** Gates a test holds shut to keep a node in flight: `gates.get(key)` is awaited by that node. */
export const gates = new Map<string, Promise<void>>();
const failures = new Map<string, number>();

const ChainState = defineState({ trail: append<string>() });

/** a → b → c; each records which worker ran it, in the state and in `executions`. */
export function chain(store: Store) {
  const node = (name: string) => async (_: unknown, ctx: { idempotencyKey: string; signal: AbortSignal }) => {
    const who = `${name}@${workerHere()}`;
    executions.push(who);
    const gate = gates.get(ctx.idempotencyKey);
    if (gate) {
      gates.delete(ctx.idempotencyKey);
      await gate;
      executions.push(`${who} resumed${ctx.signal.aborted ? " aborted" : ""}`);
    }
    return { trail: who };
  };
  return new StateGraph(ChainState)
    .addNode("a", node("a"))
    .addNode("b", node("b"))
    .addNode("c", node("c"))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ store, name: "chain" });
}

const FanState = defineState({
  count: reduce<number>((_, b) => b, 0),
  mode: reduce<string>((_, b) => b, "ok"),
  seen: append<number>(),
  joined: append<string>(),
});

/**
 * reserve (undoable) → plan → `count` × Send(item) → join. `mode` makes item 3 misbehave: `fail`
 * (for good), `flaky` (fails twice, retried 1.2 s later), `interrupt`, `abort`; `slow` makes every
 * item take 150 ms.
 */
export function fan(store: Store) {
  return new StateGraph(FanState)
    .addNode("reserve", () => ({}), { compensate: () => void executions.push("undo reserve") })
    .addNode("plan", () => ({}))
    .addNode(
      "item",
      async (s, ctx) => {
        const i = ctx.input as number;
        executions.push(`item${i}@${workerHere()}`);
        await sleep(s.mode === "slow" ? 150 : 1 + (i % 3));
        if (i === 3 && s.mode === "fail") throw new NonRetryableError("item 3 is broken");
        if (i === 3 && s.mode === "abort") ctx.abort("item 3 says stop");
        if (i === 3 && s.mode === "flaky") {
          const n = (failures.get(ctx.idempotencyKey) ?? 0) + 1;
          failures.set(ctx.idempotencyKey, n);
          if (n <= 2) throw new Error(`flaky failure ${n}`);
        }
        if (i === 3 && s.mode === "interrupt") {
          const answer = ctx.interrupt<string>({ approve: i });
          executions.push(`item${i} answered ${answer}`);
        }
        return { seen: i };
      },
      {
        retry: { attempts: 3, initialDelayMs: 1_200 },
        compensate: (_s, _r, ctx) => void executions.push(`undo ${ctx.idempotencyKey.split(":").at(-2)}`),
      },
    )
    .addNode("join", (s) => {
      executions.push(`join@${workerHere()}`);
      return { joined: `${s.seen.length}` };
    })
    .addEdge(START, "reserve")
    .addEdge("reserve", "plan")
    .addConditionalEdges("plan", (s) => Array.from({ length: s.count }, (_, i) => new Send("item", i)))
    .addEdge("item", "join")
    .addEdge("join", END)
    .compile({ store, name: "fan" });
}
