import { z } from "zod";
import type { NodeContext, RetryPolicy, StateOf } from "../../index.js";
import { append, defineState, END, NonRetryableError, START, StateGraph, value } from "../../index.js";
import { lazyTools } from "../tools.js";
import type { ShippedWorkflow, WorkflowContext } from "../types.js";

/** The saga's forward steps, in order; each has an undo that leaves the database as it was. */
export const STEPS = [
  "create_account",
  "charge_payment",
  "send_notification",
  "reserve_inventory",
  "create_shipping_label",
] as const;
export type Step = (typeof STEPS)[number];

/** Retries first: 3 attempts with backoff 100 ms, 200 ms. */
export const RETRY: RetryPolicy = { attempts: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 2_000 };

type Row = Record<string, unknown> & { id: number };

/** The input users give; a typo in `failAt` or a bad quantity is a clear error before the run starts. */
const Input = z.looseObject({
  customer: z
    .union([z.string().min(1), z.number().int().positive()])
    .transform(String)
    .optional(),
  sku: z.string().min(1).optional(),
  quantity: z.number().int().positive().optional(),
  failAt: z.enum(STEPS).nullable().optional(),
  failTimes: z.number().int().min(0).nullable().optional(),
  stepDelayMs: z.number().int().min(0).optional(),
});

const State = defineState(
  {
    /** The customer's email or id. */
    customer: value("alice@example.com"),
    sku: value("MOUSE-001"),
    quantity: value(1),
    /** Make this step fail (every attempt, unless `failTimes` is set). */
    failAt: value<Step | null>(null),
    /** Make `failAt` fail this many attempts, then succeed. */
    failTimes: value<number | null>(null),
    /** Wait this long in each step (to watch it, or to kill it mid-run and resume). */
    stepDelayMs: value(0),
    customerRow: value<Row | null>(null),
    account: value<Row | null>(null),
    payment: value<Row | null>(null),
    notification: value<Row | null>(null),
    reservation: value<{ inventoryId: number; quantity: number } | null>(null),
    shipment: value<Row | null>(null),
    log: append<string>(),
  },
  { schema: Input },
);
export type OrderState = StateOf<typeof State.channels>;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function build(ctx: WorkflowContext) {
  const mcp = lazyTools(ctx);
  const db = async <T>(
    c: Pick<NodeContext, "signal" | "idempotencyKey">,
    tool: string,
    args: Record<string, unknown>,
  ) => (await mcp()).call<T>(c, "database", tool, args, { timeoutMs: 15_000 });
  const one = async (c: NodeContext, table: string, where: Record<string, unknown>) =>
    (await db<{ rows: Row[] }>(c, "query", { table, where, limit: 1 })).rows[0];

  /** Fail on purpose where the input says so: before the step's effect, as a real outage would. */
  const maybeFail = (s: OrderState, c: NodeContext) => {
    if (s.failAt !== c.node) return;
    if (s.failTimes === null || c.attempt <= s.failTimes)
      throw new Error(`simulated failure in ${c.node} (attempt ${c.attempt})`);
  };
  const step = (
    name: Step,
    fn: (s: OrderState, c: NodeContext) => Promise<Partial<OrderState>>,
    undo: (s: OrderState, c: Parameters<typeof db>[0]) => Promise<unknown>,
  ) =>
    [
      name,
      async (s: OrderState, c: NodeContext) => {
        if (s.stepDelayMs > 0) await sleep(s.stepDelayMs, c.signal);
        maybeFail(s, c);
        return { ...(await fn(s, c)), log: `${name} done` };
      },
      { retry: RETRY, compensate: (s: OrderState, _r: unknown, c: Parameters<typeof db>[0]) => undo(s, c) },
    ] as const;

  return new StateGraph(State)
    .addNode(
      ...step(
        "create_account",
        async (s, c) => {
          const where = /^\d+$/.test(String(s.customer))
            ? { id: Number(s.customer) }
            : { email: String(s.customer) };
          const customer = await one(c, "customers", where);
          if (!customer) throw new NonRetryableError(`Unknown customer "${s.customer}"`);
          const tag = c.runId.replace(/[^a-zA-Z0-9]/g, "").slice(0, 12);
          const [local, domain] = String(customer.email).split("@");
          const inserted = await db<{ row: Row }>(c, "insert", {
            table: "users",
            data: {
              username: `${local}-${tag}`,
              email: `${local}+${tag}@${domain}`,
              full_name: customer.name,
              customer_id: customer.id,
            },
          });
          return { customerRow: customer, account: inserted.row };
        },
        (s, c) => db(c, "delete", { table: "users", id: s.account!.id }),
      ),
    )
    .addNode(
      ...step(
        "charge_payment",
        async (s, c) => {
          const product = await one(c, "products", { sku: s.sku });
          if (!product) throw new NonRetryableError(`Unknown product "${s.sku}"`);
          const amount = Math.round(Number(product.price) * s.quantity * 100) / 100;
          const inserted = await db<{ row: Row }>(c, "insert", {
            table: "payments",
            data: {
              user_id: s.account!.id,
              amount,
              currency: "USD",
              status: "completed",
              method: "card",
              transaction_id: `txn-${c.runId}`,
            },
          });
          return { payment: inserted.row };
        },
        (s, c) => db(c, "delete", { table: "payments", id: s.payment!.id }),
      ),
    )
    .addNode(
      ...step(
        "send_notification",
        async (s, c) => {
          const inserted = await db<{ row: Row }>(c, "insert", {
            table: "notifications",
            data: {
              user_id: s.account!.id,
              channel: "email",
              recipient: String(s.customerRow!.email),
              subject: "Order confirmed",
              message: `Your order of ${s.quantity} × ${s.sku} is confirmed (payment ${s.payment!.transaction_id}).`,
            },
          });
          return { notification: inserted.row };
        },
        (s, c) => db(c, "delete", { table: "notifications", id: s.notification!.id }),
      ),
    )
    .addNode(
      ...step(
        "reserve_inventory",
        async (s, c) => {
          const stock = await one(c, "inventory", { sku: s.sku });
          if (!stock || Number(stock.stock) < s.quantity) {
            throw new NonRetryableError(
              `Out of stock: ${s.sku} has ${stock ? stock.stock : 0}, the order needs ${s.quantity}`,
            );
          }
          await db(c, "update", {
            table: "inventory",
            id: stock.id,
            data: { stock: { increment: -s.quantity }, reserved: { increment: s.quantity } },
          });
          return { reservation: { inventoryId: stock.id, quantity: s.quantity } };
        },
        (s, c) =>
          db(c, "update", {
            table: "inventory",
            id: s.reservation!.inventoryId,
            data: {
              stock: { increment: s.reservation!.quantity },
              reserved: { increment: -s.reservation!.quantity },
            },
          }),
      ),
    )
    .addNode(
      ...step(
        "create_shipping_label",
        async (s, c) => {
          const inserted = await db<{ row: Row }>(c, "insert", {
            table: "shipments",
            data: {
              user_id: s.account!.id,
              payment_id: s.payment!.id,
              sku: s.sku,
              quantity: s.quantity,
              carrier: "UPS",
              tracking_number: `TRK-${c.runId}`,
            },
          });
          return { shipment: inserted.row };
        },
        (s, c) => db(c, "delete", { table: "shipments", id: s.shipment!.id }),
      ),
    )
    .addEdge(START, "create_account")
    .addEdge("create_account", "charge_payment")
    .addEdge("charge_payment", "send_notification")
    .addEdge("send_notification", "reserve_inventory")
    .addEdge("reserve_inventory", "create_shipping_label")
    .addEdge("create_shipping_label", END)
    .compile({ store: ctx.store, name: "order-saga" });
}

export const orderSaga: ShippedWorkflow = {
  name: "order-saga",
  description:
    "Account, payment, notification, inventory, shipping label — undone in reverse order when a step fails for good",
  build,
  servers: ["database"],
  defaultInput: { customer: "alice@example.com", sku: "MOUSE-001", quantity: 1 },
  summarize(state) {
    const s = state as OrderState;
    const lines = [`order of ${s.quantity} × ${s.sku} for ${s.customer}`, ...s.log.map((l) => `  ${l}`)];
    if (s.shipment) lines.push(`shipping label ${s.shipment.tracking_number} created`);
    return lines.join("\n");
  },
};
