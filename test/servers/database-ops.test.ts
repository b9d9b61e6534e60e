import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IdempotencyLog } from "../../src/servers/database/idempotency.js";
import { openDatabase } from "../../src/servers/database/open.js";
import { Operations } from "../../src/servers/database/operations.js";
import { ToolInputError } from "../../src/servers/shared/tool-kit.js";

let db: Database.Database;
let ops: Operations;

beforeEach(() => {
  db = openDatabase(":memory:");
  ops = new Operations(db);
});
afterEach(() => db.close());

/** Every row of every table and the schema itself: equal snapshots mean nothing changed. */
function snapshot(): string {
  const tables = db.prepare("SELECT name, sql FROM sqlite_master ORDER BY name").all() as Array<{
    name: string;
    sql: string;
  }>;
  const data = tables
    .filter((t) => t.sql?.startsWith("CREATE TABLE"))
    .map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()]);
  return JSON.stringify({ tables, data });
}

describe("database operations", () => {
  it("seeds the tables the workflows need", () => {
    const names = ops.listTables().tables.map((t) => t.name);
    expect(names).toEqual([
      "analytics",
      "customers",
      "inventory",
      "notifications",
      "payments",
      "products",
      "shipments",
      "users",
    ]);
    expect(ops.query({ table: "customers" }).rows.map((r) => r.tier)).toContain("enterprise");
  });

  it("filters with operators, orders, limits and pages", () => {
    const page = ops.query({
      table: "products",
      where: { category: "accessories", price: { op: "lt", value: 150 } },
      columns: ["sku", "price"],
      orderBy: [{ column: "price", direction: "desc" }],
      limit: 1,
    });
    expect(page).toEqual({
      table: "products",
      rows: [{ sku: "KEYB-001", price: 119 }],
      count: 1,
      truncated: true,
    });
    expect(
      ops.query({
        table: "products",
        where: { sku: { op: "in", value: ["CAM-001", "MON-001"] } },
        orderBy: "sku",
      }).count,
    ).toBe(2);
    expect(ops.query({ table: "customers", where: { company: null } }).count).toBe(2);
    expect(
      ops.query({
        table: "customers",
        where: { email: { op: "like", value: "%@EXAMPLE.com" } },
        limit: 3,
        offset: 9,
      }).count,
    ).toBe(1);
    expect(ops.query({ table: "customers", where: { email: "ALICE@example.com" } }).rows[0]?.id).toBe(1);
  });

  it("refuses every injection attempt and changes nothing", () => {
    const before = snapshot();
    const attempts: Array<() => unknown> = [
      () => ops.query({ table: "users; DROP TABLE users" }),
      () => ops.query({ table: 'users" ; DROP TABLE users; --' }),
      () => ops.query({ table: "customers", where: { "name) OR 1=1 --": "x" } }),
      () => ops.query({ table: "customers", columns: ["*"] }),
      () => ops.query({ table: "customers", columns: ["name, (SELECT group_concat(email) FROM users)"] }),
      () => ops.query({ table: "customers", orderBy: "name; DROP TABLE customers" }),
      () => ops.query({ table: "customers", orderBy: "(CASE WHEN 1 THEN name END)" }),
      () => ops.query({ table: "sqlite_master" }),
      () => ops.query({ table: "_baton_idempotency" }),
      () => ops.insert("customers", { "name, email) VALUES ('x','y'); --": "z" }),
      () => ops.update({ table: "customers", id: 1, data: { "tier = 'enterprise' --": "basic" } }),
      () => ops.update({ table: "customers", data: { tier: "enterprise" } }),
      () => ops.delete({ table: "customers", where: {} }),
      () => ops.delete({ table: "customers; DELETE FROM products", id: 1 }),
      () => ops.describe("customers); DROP TABLE customers; --"),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(ToolInputError);
    // Values are data, never SQL: a classic payload matches nothing and runs nothing.
    expect(ops.query({ table: "customers", where: { name: "x' OR '1'='1" } }).count).toBe(0);
    expect(ops.delete({ table: "customers", where: { email: "' OR 1=1; --" } }).changes).toBe(0);
    expect(snapshot()).toBe(before);
  });

  it("inserts and returns the new row with its id; the id of a deleted row can be restored", () => {
    const { id, row } = ops.insert("users", {
      username: "neo",
      email: "neo@example.com",
      full_name: "Thomas A.",
    });
    expect(row).toMatchObject({ id, username: "neo", status: "active" });
    const deleted = ops.delete({ table: "users", id });
    expect(deleted).toMatchObject({ changes: 1, rows: [row] });
    expect(ops.insert("users", deleted.rows[0] as Record<string, string | number | null>).row).toEqual(row);
  });

  it("updates with atomic increments and a guard, returning rows before and after", () => {
    const reserve = () =>
      ops.update({
        table: "inventory",
        where: { sku: "CAM-001", stock: { op: "gte", value: 10 } },
        data: { stock: { increment: -10 }, reserved: { increment: 10 } },
      });
    const first = reserve();
    expect(first.previous[0]).toMatchObject({ stock: 15, reserved: 0 });
    expect(first.rows[0]).toMatchObject({ stock: 5, reserved: 10 });
    expect(reserve()).toMatchObject({ changes: 0, rows: [], previous: [] });
    expect(() =>
      ops.update({ table: "inventory", where: { sku: "CAM-001" }, data: { stock: { increment: -6 } } }),
    ).toThrow(/CHECK constraint failed/);
  });

  it("replays a write with the same idempotency key instead of repeating it", () => {
    const log = new IdempotencyLog(db);
    const args = { table: "payments", data: { user_id: 1, amount: 10, transaction_id: "txn-1" } };
    const write = () => ops.insert(args.table, args.data);
    const first = log.run("run:charge:2", "insert", args, write);
    const again = log.run("run:charge:2", "insert", args, write);
    expect(again).toEqual({ ...first, replayed: true });
    expect(ops.query({ table: "payments", where: { transaction_id: "txn-1" } }).count).toBe(1);
    const other = log.run(
      "run:charge:2",
      "insert",
      { ...args, data: { ...args.data, transaction_id: "txn-2" } },
      () => ops.insert("payments", { ...args.data, transaction_id: "txn-2" }),
    );
    expect(other.id).not.toBe(first.id);
  });

  it("refuses to update or delete every row without allowAll, counting the matches in the same transaction", () => {
    const total = ops.query({ table: "customers", limit: 1000 }).count;
    const every = { id: { op: "gte" as const, value: 0 } };
    expect(() => ops.delete({ table: "customers", where: every })).toThrow(
      `delete: the filter matches all ${total} rows of "customers"`,
    );
    expect(() => ops.update({ table: "customers", where: every, data: { tier: "basic" } })).toThrow(
      /update: the filter matches all/,
    );
    expect(() => ops.delete({ table: "customers" })).toThrow(/or "allowAll": true to delete every row/);
    expect(ops.query({ table: "customers", limit: 1000 }).count).toBe(total);
    // One row fewer than all is not "every row".
    expect(ops.delete({ table: "customers", where: { id: { op: "gt", value: 1 } } }).changes).toBe(total - 1);
    // The last row, by any filter: a single-row write is always targeted.
    expect(ops.update({ table: "customers", where: every, data: { tier: "basic" } }).changes).toBe(1);
    ops.insert("customers", { name: "Zed", email: "zed@example.com" });
    expect(
      ops.update({ table: "customers", where: every, data: { tier: "basic" }, allowAll: true }).changes,
    ).toBe(2);
    expect(ops.delete({ table: "customers", allowAll: true }).changes).toBe(2);
  });

  it("keys the replay log by the arguments in canonical form: key order does not matter, at any depth", () => {
    const log = new IdempotencyLog(db);
    let writes = 0;
    const write = () => ({ n: ++writes });
    const a = {
      table: "inventory",
      where: { sku: "CAM-001", stock: { op: "gte", value: 1 } },
      data: { stock: 1 },
    };
    const b = {
      data: { stock: 1 },
      where: { stock: { value: 1, op: "gte" }, sku: "CAM-001" },
      table: "inventory",
    };
    expect(log.run("k", "update", a, write)).toEqual({ n: 1 });
    expect(log.run("k", "update", b, write)).toEqual({ n: 1, replayed: true });
    // Arrays keep their order: a different list is a different write.
    log.run("k", "update", { ...a, columns: ["a", "b"] }, write);
    expect(log.run("k", "update", { ...a, columns: ["b", "a"] }, write)).toEqual({ n: 3 });
  });
});
