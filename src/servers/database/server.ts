import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type Database from "better-sqlite3";
import { z } from "zod";
import { boundedString, MAX_STRING_LENGTH } from "../shared/limits.js";
import { ok } from "../shared/results.js";
import { strictObject } from "../shared/strict.js";
import { envMs, handled, idempotencyKeyOf } from "../shared/tool-kit.js";
import { FILTER_OPS, type OrderBy, type Scalar, type Where } from "./filters.js";
import { IdempotencyLog } from "./idempotency.js";
import { DEFAULT_LIMIT, MAX_ROWS, Operations, type WriteValue } from "./operations.js";

export interface DatabaseServerOptions {
  db: Database.Database;
  /** Delay before each answer (tests); default `BATON_DATABASE_DELAY_MS`. */
  delayMs?: number;
}

// Every object is strict (unknown keys are errors) and every string value bounded; see ../shared. Column
// names (the keys of `where` and `data`) are checked against the schema, whose error quotes only a prefix.
const scalar = z.union([boundedString(), z.number(), z.boolean(), z.null()]);
const table = boundedString().min(1).describe("Table name (see list_tables)");
const column = boundedString();
const condition = strictObject({
  op: z.enum(FILTER_OPS),
  value: z.union([scalar, z.array(scalar)]).optional(),
});
const where = z
  .record(z.string(), z.union([scalar, condition]))
  .describe('Column → value (equality) or { op, value }; e.g. { "email": "alice@example.com" }');
const orderItem = z.union([
  boundedString(),
  strictObject({ column, direction: z.enum(["asc", "desc"]).optional() }),
]);
const id = z.number().int().describe("Shorthand for where { id }");
const allowAll = z
  .boolean()
  .optional()
  .describe("Must be true to touch every row of the table (no filter, or a filter that matches them all)");
const VALUES_NOTE = `String values are at most ${MAX_STRING_LENGTH} characters.`;
const row = z.record(z.string(), z.unknown());
const rows = z.array(row);
const replayed = z
  .boolean()
  .optional()
  .describe("True when an earlier call with the same idempotency key answered");

type TargetInput = { table: string; where?: Where; id?: number; allowAll?: boolean };

/** The database MCP server over an open SQLite handle (see `openDatabase`). */
export function createDatabaseServer(options: DatabaseServerOptions): McpServer {
  const ops = new Operations(options.db);
  const log = new IdempotencyLog(options.db);
  const delayMs = options.delayMs ?? envMs("BATON_DATABASE_DELAY_MS");
  const server = new McpServer({ name: "baton-database", version: "0.1.0" });
  const tool = <A>(name: string, run: Parameters<typeof handled<A>>[3]) =>
    handled<A>("database", name, delayMs, run);

  server.registerTool(
    "query",
    {
      title: "Query rows",
      description: `Rows of a table matching a filter, ordered, at most \`limit\` (default ${DEFAULT_LIMIT}, max ${MAX_ROWS}).`,
      inputSchema: strictObject({
        table,
        where: where.optional(),
        columns: z.array(column).optional().describe("Columns to return; default all"),
        orderBy: z
          .union([orderItem, z.array(orderItem)])
          .optional()
          .describe('"price desc" or { column, direction }'),
        limit: z.number().int().min(1).max(MAX_ROWS).optional(),
        offset: z.number().int().min(0).optional(),
      }),
      outputSchema: { table: z.string(), rows, count: z.number(), truncated: z.boolean() },
      annotations: { readOnlyHint: true },
    },
    tool(
      "query",
      (args: {
        table: string;
        where?: Where;
        columns?: string[];
        orderBy?: OrderBy | OrderBy[];
        limit?: number;
        offset?: number;
      }) => ok(ops.query(args)),
    ),
  );

  server.registerTool(
    "insert",
    {
      title: "Insert a row",
      description: `Inserts one row and returns it with its new id. Giving \`id\` restores a deleted row. ${VALUES_NOTE}`,
      inputSchema: strictObject({ table, data: z.record(z.string(), scalar).describe("Column → value") }),
      outputSchema: { table: z.string(), id: z.number(), row, replayed },
    },
    tool("insert", (args: { table: string; data: Record<string, Scalar> }, extra) =>
      ok(log.run(idempotencyKeyOf(extra), "insert", args, () => ops.insert(args.table, args.data))),
    ),
  );

  server.registerTool(
    "update",
    {
      title: "Update rows",
      description: `Updates the rows matching \`id\` and/or \`where\`; updating every row of the table needs \`allowAll: true\`. A value may be { increment: n } to add n atomically. Returns the rows before and after. ${VALUES_NOTE}`,
      inputSchema: strictObject({
        table,
        where: where.optional(),
        id: id.optional(),
        allowAll,
        data: z.record(z.string(), z.union([scalar, strictObject({ increment: z.number() })])),
      }),
      outputSchema: { table: z.string(), changes: z.number(), rows, previous: rows, replayed },
    },
    tool("update", (args: TargetInput & { data: Record<string, WriteValue> }, extra) =>
      ok(log.run(idempotencyKeyOf(extra), "update", args, () => ops.update(args))),
    ),
  );

  server.registerTool(
    "delete",
    {
      title: "Delete rows",
      description:
        "Deletes the rows matching `id` and/or `where` and returns them, so they can be restored; deleting every row of the table needs `allowAll: true`.",
      inputSchema: strictObject({ table, where: where.optional(), id: id.optional(), allowAll }),
      outputSchema: { table: z.string(), changes: z.number(), rows, replayed },
      annotations: { destructiveHint: true },
    },
    tool("delete", (args: TargetInput, extra) =>
      ok(log.run(idempotencyKeyOf(extra), "delete", args, () => ops.delete(args))),
    ),
  );

  server.registerTool(
    "list_tables",
    {
      title: "List tables",
      description: "The tables, with their columns and row counts.",
      inputSchema: strictObject({}),
      outputSchema: {
        tables: z.array(z.object({ name: z.string(), rows: z.number(), columns: z.array(z.string()) })),
      },
      annotations: { readOnlyHint: true },
    },
    tool("list_tables", () => ok(ops.listTables())),
  );

  server.registerTool(
    "describe",
    {
      title: "Describe a table",
      description: "A table's columns (name, type, not null, primary key, default) and row count.",
      inputSchema: strictObject({ table }),
      outputSchema: {
        table: z.string(),
        columns: z.array(
          z.object({
            name: z.string(),
            type: z.string(),
            notNull: z.boolean(),
            primaryKey: z.boolean(),
            defaultValue: z.string().nullable(),
          }),
        ),
        primaryKey: z.array(z.string()),
        rows: z.number(),
      },
      annotations: { readOnlyHint: true },
    },
    tool("describe", (args: { table: string }) => ok(ops.describe(args.table))),
  );
  return server;
}
