import type { NodeContext, StateOf } from "../../index.js";
import { append, defineState, END, Send, START, StateGraph, value } from "../../index.js";
import { lazyTools, pathsIn } from "../tools.js";
import type { ShippedWorkflow, WorkflowContext } from "../types.js";
import { citiesIn, searchTermsIn } from "./query.js";
import { summarize } from "./summary.js";

/** Per-call timeouts (ms), the tutorial's: weather 5 s, files 10 s, database 15 s. */
export const TIMEOUTS = { weather: 5_000, files: 10_000, database: 15_000 };

export interface BranchReport {
  branch: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface BranchFailure {
  node: string;
  taskId: string;
  error: string;
  attempts: number;
  kind: string;
}

const State = defineState({
  query: value(""),
  cities: value<string[]>([]),
  terms: value<string[]>([]),
  startedAt: value(0),
  weather: append<{ city: string; ok: boolean; data?: unknown; error?: string }>(),
  files: append<{ term: string; ok: boolean; matches?: string[]; error?: string }>(),
  database: append<{ lookup: string; ok: boolean; rows?: unknown; error?: string }>(),
  branches: append<BranchReport>(),
  errors: append<BranchFailure>(),
  report: value<Record<string, unknown> | null>(null),
});

/** Time a branch and report it beside its result, whatever happens. */
async function timed<T>(branch: string, work: () => Promise<T & { ok: boolean; error?: string }>) {
  const t0 = Date.now();
  const result = await work();
  const report: BranchReport = {
    branch,
    ok: result.ok,
    ms: Date.now() - t0,
    ...(result.error ? { error: result.error } : {}),
  };
  return { result, report };
}

/** A branch whose calls failed also lands in `errors`, so `--json` readers see it without the report. */
function failure(c: NodeContext, report: BranchReport): { errors?: BranchFailure } {
  if (report.ok) return {};
  return {
    errors: {
      node: c.node,
      taskId: report.branch,
      error: report.error ?? "failed",
      attempts: c.attempt,
      kind: "tool",
    },
  };
}

export function build(ctx: WorkflowContext) {
  const tools = lazyTools(ctx);
  return new StateGraph(State, { errorKey: "errors" })
    .addNode("plan", async (s) => {
      await tools(); // start the MCP servers first, so each branch's time is its own calls' time
      return { cities: citiesIn(s.query), terms: searchTermsIn(s.query), startedAt: Date.now() };
    })
    .addNode(
      "weather",
      async (_s, c: NodeContext) => {
        const city = c.input as string;
        const { result, report } = await timed(`weather:${city}`, async () => {
          const r = await (await tools()).tryCall(
            c,
            "weather",
            "get_current_weather",
            { city, units: "celsius" },
            { timeoutMs: TIMEOUTS.weather },
          );
          return r.ok ? { city, ok: true, data: r.value } : { city, ok: false, error: r.error.message };
        });
        return { weather: result, branches: report, ...failure(c, report) };
      },
      { timeout: TIMEOUTS.weather + 1_000, onError: "continue" },
    )
    .addNode(
      "files",
      async (s, c) => {
        const { result, report } = await timed("files", async () => {
          const t = await tools();
          const dirs = await t.tryCall<unknown>(
            c,
            "filesystem",
            "list_allowed_directories",
            {},
            { timeoutMs: TIMEOUTS.files },
          );
          const root = dirs.ok ? pathsIn(dirs.value)[0] : undefined;
          if (!root)
            return { ok: false, error: dirs.ok ? "no allowed directory" : dirs.error.message, found: [] };
          const found = await Promise.all(
            s.terms.map(async (term) => {
              const r = await t.tryCall<unknown>(
                c,
                "filesystem",
                "search_files",
                { path: root, pattern: `**/*${term}*` },
                { timeoutMs: TIMEOUTS.files },
              );
              return r.ok
                ? { term, ok: true, matches: pathsIn(r.value) }
                : { term, ok: false, error: r.error.message };
            }),
          );
          const failed = found.find((f) => !f.ok);
          return { ok: !failed, found, ...(failed?.error ? { error: failed.error } : {}) };
        });
        return { files: result.found, branches: report, ...failure(c, report) };
      },
      { timeout: TIMEOUTS.files + 1_000, onError: "continue" },
    )
    .addNode(
      "database",
      async (_s, c) => {
        const lookups = {
          customers: { table: "customers", columns: ["name", "tier"], limit: 5 },
          products: {
            table: "products",
            columns: ["sku", "name", "price", "stock"],
            orderBy: "stock DESC",
            limit: 5,
          },
          analytics: { table: "analytics", limit: 5 },
        };
        const { result, report } = await timed("database", async () => {
          const t = await tools();
          const rows = await Promise.all(
            Object.entries(lookups).map(async ([lookup, args]) => {
              const r = await t.tryCall<unknown>(c, "database", "query", args, {
                timeoutMs: TIMEOUTS.database,
              });
              return r.ok
                ? { lookup, ok: true, rows: r.value }
                : { lookup, ok: false, error: r.error.message };
            }),
          );
          const failed = rows.find((r) => !r.ok);
          return { ok: !failed, rows, ...(failed?.error ? { error: failed.error } : {}) };
        });
        return { database: result.rows, branches: report, ...failure(c, report) };
      },
      { timeout: TIMEOUTS.database + 1_000, onError: "continue" },
    )
    .addNode("aggregate", (s) => ({ report: aggregate(s) }))
    .addEdge(START, "plan")
    .addConditionalEdges(
      "plan",
      (s) => [...s.cities.map((city) => new Send("weather", city)), "files", "database"],
      ["weather", "files", "database"],
    )
    .addEdge(["weather", "files", "database"], "aggregate")
    .addEdge("aggregate", END)
    .compile({ store: ctx.store, name: "parallel-research" });
}

export type ResearchState = StateOf<typeof State.channels>;

function aggregate(s: ResearchState): Record<string, unknown> {
  // Tool failures are in the branch reports already; the rest are nodes that threw or timed out.
  const failedNodes = s.errors
    .filter((e) => e.kind !== "tool")
    .map((e) => ({ branch: e.node, error: e.error, kind: e.kind }));
  const completed = s.branches.filter((b) => b.ok).map((b) => b.branch);
  const failed = [
    ...s.branches.filter((b) => !b.ok).map((b) => ({ branch: b.branch, error: b.error ?? "failed" })),
    ...failedNodes,
  ];
  const slowest = Math.max(0, ...s.branches.map((b) => b.ms));
  return {
    query: s.query,
    weather: s.weather,
    files: s.files,
    database: s.database,
    completed,
    failed,
    branchTimes: Object.fromEntries(s.branches.map((b) => [b.branch, b.ms])),
    slowestBranchMs: slowest,
    totalMs: Date.now() - s.startedAt,
  };
}

export const parallelResearch: ShippedWorkflow = {
  name: "parallel-research",
  description: "Weather, file search and database look-ups, all at once, aggregated with partial failures",
  build,
  servers: ["weather", "filesystem", "database"],
  defaultInput: { query: "weather in London and Tokyo, files about reports" },
  fromQuery: (query) => ({ query }),
  summarize: (state) => summarize(state.report as Record<string, unknown> | null),
};
