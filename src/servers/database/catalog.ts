import type Database from "better-sqlite3";
import { excerpt } from "../shared/excerpt.js";
import { ToolInputError } from "../shared/tool-kit.js";
import { INTERNAL_TABLE_PREFIX } from "./schema.js";

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  primaryKey: boolean;
  defaultValue: string | null;
}

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  dflt_value: string | null;
}

/**
 * The real schema, read from SQLite itself (sqlite_master, PRAGMA table_info). Every table and column
 * name a caller gives is looked up here before it reaches SQL; names are then quoted as well.
 */
export class Catalog {
  constructor(private readonly db: Database.Database) {}

  tables(): string[] {
    const rows = this.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all() as Array<{ name: string }>;
    return rows.map((row) => row.name).filter((name) => !name.startsWith(INTERNAL_TABLE_PREFIX));
  }

  /** The table name as stored, or a `ToolInputError` listing the tables that exist. */
  table(name: string): string {
    const tables = this.tables();
    if (!tables.includes(name))
      throw new ToolInputError(`Unknown table ${excerpt(name)}. Tables: ${tables.join(", ")}`);
    return name;
  }

  columns(table: string): ColumnInfo[] {
    // `table` was checked against sqlite_master; PRAGMA cannot take a bound parameter.
    const rows = this.db.prepare(`PRAGMA table_info(${quote(this.table(table))})`).all() as PragmaColumn[];
    return rows.map((row) => ({
      name: row.name,
      type: row.type,
      notNull: row.notnull === 1,
      primaryKey: row.pk > 0,
      defaultValue: row.dflt_value,
    }));
  }

  /** The column name, or a `ToolInputError` listing the table's columns. */
  column(table: string, name: string): string {
    const names = this.columns(table).map((c) => c.name);
    if (!names.includes(name)) {
      throw new ToolInputError(
        `Unknown column ${excerpt(name)} in table "${table}". Columns: ${names.join(", ")}`,
      );
    }
    return name;
  }
}

/** Quotes an identifier already checked against the catalog (defence in depth, not the check itself). */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
