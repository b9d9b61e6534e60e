import { z } from "zod";
import type { NodeContext, StateOf } from "../../index.js";
import { append, defineState, END, START, StateGraph, value } from "../../index.js";
import { lazyTools, pathsIn } from "../tools.js";
import type { ShippedWorkflow, WorkflowContext } from "../types.js";
import { classify, escalationReason, loadRules, type Priority, type Rules } from "./rules.js";

export const HANDLERS = [
  "customer_service",
  "technical_support",
  "sales",
  "data_analysis",
  "general",
] as const;
type Handler = (typeof HANDLERS)[number];

/** The human decision an escalation waits for; a resume with anything else is refused before it runs. */
export const EscalationDecision = z.strictObject({
  approved: z.boolean(),
  assignee: z.string().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
});
export type EscalationDecision = z.infer<typeof EscalationDecision>;

const State = defineState({
  query: value(""),
  /** The customer's email or id; otherwise an email found in the query. */
  customer: value<string | null>(null),
  category: value<string>("general"),
  priority: value<Priority>("low"),
  urgencyWords: value<string[]>([]),
  escalationWords: value<string[]>([]),
  tier: value<string>("unknown"),
  customerName: value<string | null>(null),
  customerId: value<number | null>(null),
  escalationReason: value<string | null>(null),
  escalation: value<(EscalationDecision & { reason: string }) | null>(null),
  sla: value<string>(""),
  route: append<string>(),
  result: value<Record<string, unknown> | null>(null),
  errors: append<{ node: string; error: string; kind: string }>(),
});

export type SupportState = StateOf<typeof State.channels>;

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
const handlerFor = (category: string): Handler =>
  (HANDLERS as readonly string[]).includes(category) ? (category as Handler) : "general";

export function build(ctx: WorkflowContext, rules: Rules = loadRules()) {
  const mcp = lazyTools(ctx);
  const query = async <T>(c: NodeContext, table: string, args: Record<string, unknown>) => {
    const r = await (await mcp()).tryCall<{ rows?: T[] } | T[]>(
      c,
      "database",
      "query",
      { table, ...args },
      { timeoutMs: 15_000 },
    );
    if (!r.ok) return { rows: [] as T[], error: r.error.message };
    const rows = Array.isArray(r.value) ? r.value : (r.value.rows ?? []);
    return { rows };
  };
  const handler = (
    name: Handler,
    work: (s: SupportState, c: NodeContext) => Promise<Record<string, unknown>>,
  ) =>
    [
      name,
      async (s: SupportState, c: NodeContext) => ({
        route: name,
        result: { type: name, ...(await work(s, c)) },
      }),
    ] as const;

  const graph = new StateGraph(State, { errorKey: "errors" })
    .addNode("classify", (s) => ({ ...classify(rules, s.query), route: "classify" }))
    .addNode(
      "lookup_customer",
      async (s, c) => {
        const who = s.customer ?? s.query.match(EMAIL)?.[0];
        if (!who) return { tier: "standard", route: "lookup_customer" };
        const where = /^\d+$/.test(who) ? { id: Number(who) } : { email: who.toLowerCase() };
        const found = await query<{ id: number; name: string; tier: string }>(c, "customers", {
          where,
          limit: 1,
        });
        if (found.error)
          return {
            tier: "unknown",
            route: "lookup_customer",
            errors: { node: "lookup_customer", error: found.error, kind: "tool" },
          };
        const row = found.rows[0];
        return {
          tier: row?.tier ?? "standard",
          customerName: row?.name ?? null,
          customerId: row?.id ?? null,
          route: "lookup_customer",
        };
      },
      { onError: "continue", timeout: 20_000 },
    )
    .addNode("triage", (s) => ({
      escalationReason:
        escalationReason(
          rules,
          {
            category: s.category,
            priority: s.priority,
            urgencyWords: s.urgencyWords,
            escalationWords: s.escalationWords,
          },
          s.tier,
        ) ?? null,
      sla: rules.sla[s.priority] ?? "",
      route: "triage",
    }))
    .addNode("escalate", (s, c) => {
      const decision = c.interrupt(
        {
          question: "Escalated support request: approve and assign?",
          reason: s.escalationReason,
          query: s.query,
          category: s.category,
          priority: s.priority,
          tier: s.tier,
          answer: { approved: "boolean", assignee: "string (optional)", note: "string (optional)" },
        },
        { schema: EscalationDecision },
      );
      return { escalation: { ...decision, reason: s.escalationReason ?? "" }, route: "escalate" };
    })
    .addNode(
      ...handler("customer_service", async (s, c) => {
        const accounts =
          s.customerId === null
            ? { rows: [] }
            : await query(c, "users", { where: { customer_id: s.customerId }, limit: 20 });
        return { action: "Account inquiry processed", tier: s.tier, accounts: accounts.rows.length };
      }),
    )
    .addNode(
      ...handler("technical_support", async (_s, c) => {
        const t = await mcp();
        const dirs = await t.tryCall(c, "filesystem", "list_allowed_directories", {}, { timeoutMs: 10_000 });
        const root = dirs.ok ? pathsIn(dirs.value)[0] : undefined;
        const search = { path: root, pattern: "**/*.log" };
        const logs = root
          ? await t.tryCall(c, "filesystem", "search_files", search, { timeoutMs: 10_000 })
          : undefined;
        const found = logs?.ok ? pathsIn(logs.value) : [];
        return {
          action: "Technical analysis completed",
          logsFound: found.length,
          nextSteps: ["Reproduce the issue", "Check the logs found", "Reply with a workaround"],
        };
      }),
    )
    .addNode(
      ...handler("sales", async (_s, c) => {
        const products = await query<{ sku: string; name: string; price: number }>(c, "products", {
          limit: 3,
        });
        return {
          action: "Sales information provided",
          offers: products.rows.map((p) => `${p.name} (${p.price})`),
        };
      }),
    )
    .addNode(
      ...handler("data_analysis", async (_s, c) => {
        const metrics = await query(c, "analytics", { limit: 5 });
        return { action: "Data analysis completed", metrics: metrics.rows };
      }),
    )
    .addNode(...handler("general", async () => ({ action: "General inquiry answered" })))
    .addNode("respond", (s) => ({
      route: "respond",
      result: {
        ...s.result,
        priority: s.priority,
        sla: s.sla,
        tier: s.tier,
        escalated: s.escalation !== null,
        ...(s.escalation ? { escalation: s.escalation } : {}),
      },
    }))
    .addEdge(START, "classify")
    .addEdge(START, "lookup_customer")
    .addEdge(["classify", "lookup_customer"], "triage")
    .addConditionalEdges("triage", (s) => (s.escalationReason ? "escalate" : handlerFor(s.category)), [
      ...HANDLERS,
      "escalate",
    ])
    .addConditionalEdges("escalate", (s) => handlerFor(s.category), [...HANDLERS]);
  for (const h of HANDLERS) graph.addEdge(h, "respond");
  return graph.addEdge("respond", END).compile({ store: ctx.store, name: "support-router" });
}

export const supportRouter: ShippedWorkflow = {
  name: "support-router",
  description:
    "Classify a support request, set its priority, look up the customer, route it; escalations wait for a human",
  build: (ctx) => build(ctx),
  servers: ["database", "filesystem"],
  defaultInput: { query: "My payment failed and I was charged twice, please help" },
  fromQuery: (query) => ({ query }),
  summarize(state) {
    const r = (state.result ?? {}) as Record<string, unknown>;
    const lines = [
      `category ${state.category}, priority ${state.priority} (SLA ${state.sla}), customer tier ${state.tier}`,
      `route: ${(state.route as string[]).join(" → ")}`,
    ];
    if (state.escalationReason)
      lines.push(
        `escalated: ${state.escalationReason}${state.escalation ? ` — ${(state.escalation as EscalationDecision).approved ? `approved, assigned to ${(state.escalation as EscalationDecision).assignee ?? "nobody"}` : "declined"}` : " — waiting for a decision"}`,
      );
    if (r.action) lines.push(`result: ${r.action}`);
    return lines.join("\n");
  },
};
