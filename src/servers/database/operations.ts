import type Database from "better-sqlite3";
import { ToolInputError } from "../shared/tool-kit.js";
import { Catalog, type ColumnInfo, quote } from "./catalog.js";
import { bindable, type OrderBy, orderClause, type Scalar, type Where, whereClause } from "./filters.js";

export const DEFAULT_LIMIT = 100;
export const MAX_ROWS = 1000;

type Row = Record<string, unknown>;

/** A value to write: a plain value, or `{ increment: n }` to add to the current one atomically. */
export type WriteValue = Scalar | { increment: number };

export interface QueryArgs {
  table: string;
  where?: Where;
  columns?: string[];
  orderBy?: OrderBy | OrderBy[];
  limit?: number;
  offset?: number;
}

export interface TargetArgs {
  table: string;
  where?: Where;
  id?: number;
  /** Required to update or delete every row of the table (see `target`). */
  allowAll?: boolean;
}

/** The database tools' logic, free of MCP: each takes checked arguments and returns plain data. */
export class Operations {
  private readonly catalog: Catalog;

  constructor(private readonly db: Database.Database) {
    this.catalog = new Catalog(db);
  }

  query(args: QueryArgs): { table: string; rows: Row[]; count: number; truncated: boolean } {
    const table = this.catalog.table(args.table);
    const columns = (args.columns ?? []).map((c) => quote(this.catalog.column(table, c)));
    const where = whereClause(this.catalog, table, args.where);
    const limit = args.limit ?? DEFAULT_LIMIT;
    const sql = `SELECT ${columns.length === 0 ? "*" : columns.join(", ")} FROM ${quote(table)}${where.sql}${orderClause(
      this.catalog,
      table,
      args.orderBy,
    )} LIMIT ? OFFSET ?`;
    // One row more than asked tells whether there were more.
    const rows = this.db
      .prepare(sql)
      .all(...where.params.map(bindable), limit + 1, args.offset ?? 0) as Row[];
    const truncated = rows.length > limit;
    const page = truncated ? rows.slice(0, limit) : rows;
    return { table, rows: page, count: page.length, truncated };
  }

  insert(tableName: string, data: Record<string, Scalar>): { table: string; id: number; row: Row } {
    const table = this.catalog.table(tableName);
    const names = Object.keys(data).map((c) => this.catalog.column(table, c));
    if (names.length === 0) throw new ToolInputError("insert: data must name at least one column");
    const sql = `INSERT INTO ${quote(table)} (${names.map(quote).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`;
    const info = this.db.prepare(sql).run(...names.map((n) => bindable(data[n] as Scalar)));
    const id = Number(info.lastInsertRowid);
    const row = this.db.prepare(`SELECT * FROM ${quote(table)} WHERE rowid = ?`).get(id) as Row;
    return { table, id, row };
  }

  update(args: TargetArgs & { data: Record<string, WriteValue> }): {
    table: string;
    changes: number;
    rows: Row[];
    previous: Row[];
  } {
    const table = this.catalog.table(args.table);
    const sets: string[] = [];
    const params: Array<string | number | null> = [];
    for (const [name, value] of Object.entries(args.data)) {
      const column = quote(this.catalog.column(table, name));
      if (typeof value === "object" && value !== null) {
        sets.push(`${column} = ${column} + ?`);
        params.push(value.increment);
      } else {
        sets.push(`${column} = ?`);
        params.push(bindable(value));
      }
    }
    if (sets.length === 0) throw new ToolInputError("update: data must name at least one column");
    const run = this.db.transaction(() => {
      const { ids, rows: previous } = this.target(table, args, "update");
      if (ids.length === 0) return { table, changes: 0, rows: [], previous };
      const marks = ids.map(() => "?").join(", ");
      const info = this.db
        .prepare(`UPDATE ${quote(table)} SET ${sets.join(", ")} WHERE rowid IN (${marks})`)
        .run(...params, ...ids);
      const rows = this.db
        .prepare(`SELECT * FROM ${quote(table)} WHERE rowid IN (${marks})`)
        .all(...ids) as Row[];
      return { table, changes: info.changes, rows, previous };
    });
    return run.immediate();
  }

  delete(args: TargetArgs): { table: string; changes: number; rows: Row[] } {
    const table = this.catalog.table(args.table);
    const run = this.db.transaction(() => {
      const { ids, rows } = this.target(table, args, "delete");
      if (ids.length === 0) return { table, changes: 0, rows };
      const info = this.db
        .prepare(`DELETE FROM ${quote(table)} WHERE rowid IN (${ids.map(() => "?").join(", ")})`)
        .run(...ids);
      return { table, changes: info.changes, rows };
    });
    return run.immediate();
  }

  /**
   * The rows an update or delete would touch, read in the caller's transaction. Refuses more than
   * `MAX_ROWS` rows, and, unless `allowAll` is set, a missing filter or one that matches every row of the
   * table: whether a filter is "everything" (`{ id: { op: "gte", value: 0 } }`, a `like "%"`, …) is
   * decided by counting, not by reading the filter. A filter that matches a single row is a targeted
   * write even when that row is the table's only one (a saga undoing its one insert).
   */
  private target(table: string, args: TargetArgs, verb: string): { ids: number[]; rows: Row[] } {
    const where: Where = { ...args.where, ...(args.id === undefined ? {} : { id: args.id }) };
    const allowAll = args.allowAll === true;
    if (!allowAll && Object.keys(where).length === 0) {
      throw new ToolInputError(
        `${verb}: give "id" or a non-empty "where", or "allowAll": true to ${verb} every row of "${table}"`,
      );
    }
    const clause = whereClause(this.catalog, table, where);
    const found = this.db
      .prepare(`SELECT rowid AS "__rowid", * FROM ${quote(table)}${clause.sql} LIMIT ?`)
      .all(...clause.params.map(bindable), MAX_ROWS + 1) as Row[];
    if (found.length > MAX_ROWS) {
      throw new ToolInputError(
        `${verb}: matches more than ${MAX_ROWS} rows of "${table}"; narrow the filter`,
      );
    }
    if (!allowAll && found.length > 1 && found.length === this.count(table)) {
      throw new ToolInputError(
        `${verb}: the filter matches all ${found.length} rows of "${table}"; narrow it, or pass "allowAll": true to ${verb} every row`,
      );
    }
    const ids = found.map((row) => Number(row.__rowid));
    const rows = found.map(({ __rowid, ...row }) => row);
    return { ids, rows };
  }

  private count(table: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
  }

  listTables(): { tables: Array<{ name: string; rows: number; columns: string[] }> } {
    const tables = this.catalog.tables().map((name) => ({
      name,
      rows: this.count(name),
      columns: this.catalog.columns(name).map((c) => c.name),
    }));
    return { tables };
  }

  describe(tableName: string): { table: string; columns: ColumnInfo[]; primaryKey: string[]; rows: number } {
    const table = this.catalog.table(tableName);
    const columns = this.catalog.columns(table);
    const primaryKey = columns.filter((c) => c.primaryKey).map((c) => c.name);
    return { table, columns, primaryKey, rows: this.count(table) };
  }
}
