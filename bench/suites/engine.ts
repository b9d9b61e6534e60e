/**
 * Engine overhead: Baton (`store: false`) against LangGraph.js (no checkpointer) on the same graph
 * shapes, interleaved in one process. Nodes do (almost) nothing, so the times are the engines' own.
 */
import {
  Annotation,
  END as LG_END,
  START as LG_START,
  StateGraph as LGStateGraph,
} from "@langchain/langgraph";
import { append, defineState, END, START, StateGraph, value } from "../../src/index.js";
import { compare, type Suite } from "../harness.js";

const SEQ = 500;
const FAN = 1000;
const IO_BRANCHES = 100;
const IO_DELAY_MS = 50;
const RUNS = 1000;

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The state shared by every shape: a counter and an appending list.
const batonState = () => defineState({ n: value(0), items: append<number>() });
const lgState = Annotation.Root({
  n: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  items: Annotation<number[], number | number[]>({
    reducer: (a, b) => a.concat(b),
    default: () => [],
  }),
});
type LgState = typeof lgState.State;
type LgUpdate = typeof lgState.Update;
// LangGraph's builder types track every node name added; a loop-built graph cannot be typed that way.
type LgBuilder = {
  addNode(name: string, fn: (s: LgState) => LgUpdate | Promise<LgUpdate>): LgBuilder;
  addEdge(from: string | string[], to: string): LgBuilder;
  compile(): { invoke(input: LgUpdate, config?: { recursionLimit?: number }): Promise<LgState> };
};
const lgGraph = () => new LGStateGraph(lgState) as unknown as LgBuilder;

function seqGraphs() {
  const steps = names("s", SEQ);
  const baton = new StateGraph(batonState());
  const lg = lgGraph();
  steps.forEach((name, i) => {
    baton.addNode(name, (s) => ({ n: s.n + 1 }));
    lg.addNode(name, (s) => ({ n: s.n + 1 }));
    const from = i === 0 ? START : steps[i - 1]!;
    baton.addEdge(from, name);
    lg.addEdge(i === 0 ? LG_START : from, name);
  });
  baton.addEdge(steps.at(-1)!, END);
  lg.addEdge(steps.at(-1)!, LG_END);
  return { baton: baton.compile({ store: false, stepLimit: SEQ + 10 }), lg: lg.compile() };
}

/** `branches` parallel nodes from START, joined into `agg`; each branch appends its index. */
function fanGraphs(branches: number, body: (i: number) => Promise<void> | undefined) {
  const fan = names("b", branches);
  const baton = new StateGraph(batonState());
  const lg = lgGraph();
  fan.forEach((name, i) => {
    const node = () => {
      const pending = body(i);
      return pending ? pending.then(() => ({ items: i })) : { items: i };
    };
    baton.addNode(name, node).addEdge(START, name);
    lg.addNode(name, node).addEdge(LG_START, name);
  });
  baton
    .addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(fan, "agg")
    .addEdge("agg", END);
  lg.addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(fan, "agg")
    .addEdge("agg", LG_END);
  return { baton: baton.compile({ store: false }), lg: lg.compile() };
}

function check(label: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${label}: expected ${expected}, got ${actual}`);
}

export default (async (report) => {
  {
    const { baton, lg } = seqGraphs();
    check("seq500 baton", (await baton.invoke({})).n, SEQ);
    check("seq500 langgraph", (await lg.invoke({}, { recursionLimit: SEQ + 10 })).n, SEQ);
    const row = await compare(
      () => baton.invoke({}),
      () => lg.invoke({}, { recursionLimit: SEQ + 10 }),
      15,
    );
    report({ shape: "seq500", ...row });
  }
  {
    const { baton, lg } = fanGraphs(FAN, () => undefined);
    check("fan1000 baton", (await baton.invoke({})).n, FAN);
    check("fan1000 langgraph", (await lg.invoke({})).n, FAN);
    report({
      shape: "fan1000",
      ...(await compare(
        () => baton.invoke({}),
        () => lg.invoke({}),
        15,
      )),
    });
  }
  {
    const { baton, lg } = fanGraphs(IO_BRANCHES, () => sleep(IO_DELAY_MS));
    check("fan100-io baton", (await baton.invoke({})).n, IO_BRANCHES);
    const row = await compare(
      () => baton.invoke({}),
      () => lg.invoke({}),
      15,
    );
    report({
      shape: "fan100-io",
      ...row,
      note: `ideal ${IO_DELAY_MS} ms; Baton overhead ${(row.baton_ms - IO_DELAY_MS).toFixed(2)} ms`,
    });
  }
  {
    const { baton, lg } = fanGraphs(3, () => undefined);
    const many = async (invoke: () => Promise<unknown>) => {
      for (let i = 0; i < RUNS; i++) await invoke();
    };
    const row = await compare(
      () => many(() => baton.invoke({})),
      () => many(() => lg.invoke({})),
      7,
    );
    report({ shape: "runs3", ...row });
  }
}) satisfies Suite;
