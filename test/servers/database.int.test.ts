import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledServers, McpManager, ToolError } from "../../src/mcp/index.js";
import { PidTracker, tempDir } from "../mcp/helpers.js";

const pids = new PidTracker();
const dir = tempDir("database");
const dbPath = `${dir.path}/nested/folder/database.db`;
let mcp: McpManager;

type Rows = { rows: Array<Record<string, unknown>>; count: number };

beforeAll(async () => {
  const { servers } = bundledServers({ databasePath: dbPath });
  // Two servers on one new file at once: the schema and seed must be applied exactly once.
  mcp = new McpManager(
    { source: "test", servers: { database: servers.database, second: servers.database } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  const results = await mcp.start();
  expect(results.every((r) => r.ok)).toBe(true);
});

afterAll(async () => {
  await mcp.close();
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

const db = <T = Record<string, unknown>>(tool: string, args: Record<string, unknown>, key?: string) =>
  mcp.callTool<T>("database", tool, args, key === undefined ? {} : { idempotencyKey: key });

describe("database server (real process)", () => {
  it("creates and seeds the file when it is missing", async () => {
    expect(existsSync(dbPath)).toBe(true);
    const { tables } = await db<{ tables: Array<{ name: string; rows: number }> }>("list_tables", {});
    expect(Object.fromEntries(tables.map((t) => [t.name, t.rows]))).toMatchObject({
      customers: 10,
      products: 8,
    });
    const second = await mcp.callTool<Rows>("second", "query", { table: "customers" });
    expect(second.count).toBe(10);
  });

  it("describe gives columns and the primary key", async () => {
    const info = await db<{ columns: Array<{ name: string }>; primaryKey: string[] }>("describe", {
      table: "products",
    });
    expect(info.columns.map((c) => c.name)).toEqual([
      "id",
      "sku",
      "name",
      "category",
      "price",
      "stock",
      "description",
    ]);
    expect(info.primaryKey).toEqual(["id"]);
  });

  it("looks customers up by email or id, and products by sku", async () => {
    const byEmail = await db<Rows>("query", { table: "customers", where: { email: "carol@example.com" } });
    expect(byEmail.rows[0]).toMatchObject({ id: 3, tier: "enterprise" });
    const byId = await db<Rows>("query", { table: "customers", where: { id: 5 }, columns: ["tier"] });
    expect(byId.rows).toEqual([{ tier: "premium" }]);
    const product = await db<Rows>("query", { table: "products", where: { sku: "MON-001" } });
    expect(product.rows[0]).toMatchObject({ name: "27-inch Monitor", price: 349 });
  });

  it("runs a saga's writes and undoes them, leaving the tables as they were", async () => {
    const before = await db<{ tables: unknown }>("list_tables", {});
    const user = await db<{ id: number; row: Record<string, unknown> }>(
      "insert",
      { table: "users", data: { username: "ivy", email: "ivy@example.com" } },
      "run-1:create_account:1",
    );
    const replay = await db<{ id: number; replayed?: boolean }>(
      "insert",
      { table: "users", data: { username: "ivy", email: "ivy@example.com" } },
      "run-1:create_account:1",
    );
    expect(replay).toMatchObject({ id: user.id, replayed: true });
    const payment = await db<{ id: number }>("insert", {
      table: "payments",
      data: { user_id: user.id, amount: 99.5, transaction_id: "txn-run-1" },
    });
    const reserved = await db<{ changes: number }>("update", {
      table: "inventory",
      where: { sku: "MOUSE-001", stock: { op: "gte", value: 2 } },
      data: { stock: { increment: -2 }, reserved: { increment: 2 } },
    });
    expect(reserved.changes).toBe(1);
    const shipment = await db<{ id: number }>("insert", {
      table: "shipments",
      data: {
        user_id: user.id,
        payment_id: payment.id,
        sku: "MOUSE-001",
        quantity: 2,
        tracking_number: "TRK-run-1",
      },
    });
    const note = await db<{ id: number }>("insert", {
      table: "notifications",
      data: { user_id: user.id, recipient: "ivy@example.com", message: "Order confirmed" },
    });

    await db("delete", { table: "notifications", id: note.id });
    await db("delete", { table: "shipments", id: shipment.id });
    await db("update", {
      table: "inventory",
      where: { sku: "MOUSE-001" },
      data: { stock: { increment: 2 }, reserved: { increment: -2 } },
    });
    await db("delete", { table: "payments", where: { transaction_id: "txn-run-1" } });
    const removed = await db<{ changes: number }>("delete", { table: "users", id: user.id });
    expect(removed.changes).toBe(1);
    expect(await db("list_tables", {})).toEqual(before);
  });

  it("answers injection attempts in any argument with an error result and changes nothing", async () => {
    const before = JSON.stringify(await db("list_tables", {}));
    const customersBefore = await db<Rows>("query", { table: "customers", limit: 1000 });
    const attempts: Array<[string, Record<string, unknown>]> = [
      ["query", { table: "users; DROP TABLE users" }],
      ["query", { table: "customers", where: { "name) OR 1=1 --": "x" } }],
      ["query", { table: "customers", columns: ["name FROM customers; DROP TABLE customers; --"] }],
      ["query", { table: "customers", orderBy: "id; DELETE FROM customers" }],
      ["query", { table: "customers", where: { id: { op: "= 1 OR 1=1 --", value: 1 } } }],
      ["query", { table: "customers", where: { id: { $gt: 0 } } }],
      ["query", { table: "customers", limit: "1; DROP TABLE customers" }],
      ["insert", { table: "customers", data: { "name) VALUES ('x'); DROP TABLE customers; --": "x" } }],
      ["insert", { table: "customers", data: { name: { raw: "sqlite_version()" } } }],
      ["update", { table: "customers", where: { "1": 1 }, data: { tier: "enterprise" } }],
      ["update", { table: "customers", data: { tier: "enterprise" } }],
      ["delete", { table: "customers", where: {} }],
      ["delete", { table: "customers WHERE 1=1 --", id: 1 }],
      ["describe", { table: "customers; DROP TABLE customers" }],
    ];
    for (const [tool, args] of attempts) {
      const error = await db(tool, args).catch((e: unknown) => e);
      expect(error, `${tool} ${JSON.stringify(args)}`).toBeInstanceOf(ToolError);
    }
    const harmless = await db<Rows>("query", { table: "customers", where: { name: "' OR '1'='1" } });
    expect(harmless.count).toBe(0);
    expect(JSON.stringify(await db("list_tables", {}))).toBe(before);
    expect(await db<Rows>("query", { table: "customers", limit: 1000 })).toEqual(customersBefore);
  });

  it("limits rows: default 100, at most 1000", async () => {
    for (let i = 0; i < 3; i++)
      await db("insert", { table: "analytics", data: { metric: `m${i}`, value: i, period: "2024-07" } });
    const page = await db<Rows & { truncated: boolean }>("query", { table: "analytics", limit: 2 });
    expect(page).toMatchObject({ count: 2, truncated: true });
    await expect(db("query", { table: "analytics", limit: 1001 })).rejects.toThrow(/limit/);
  });
});
