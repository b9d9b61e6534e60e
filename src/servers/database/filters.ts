import { excerpt } from "../shared/excerpt.js";
import { ToolInputError } from "../shared/tool-kit.js";
import { type Catalog, quote } from "./catalog.js";

export type Scalar = string | number | boolean | null;

export const FILTER_OPS = [
  "eq",
  "ne",
  "lt",
  "lte",
  "gt",
  "gte",
  "like",
  "in",
  "not_in",
  "is_null",
  "not_null",
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Condition {
  op: FilterOp;
  value?: Scalar | Scalar[];
}

/** Column → value (equality; `null` means IS NULL) or `{ op, value }`. All conditions must hold. */
export type Where = Record<string, Scalar | Condition>;

const COMPARISONS: Partial<Record<FilterOp, string>> = {
  eq: "=",
  ne: "<>",
  lt: "<",
  lte: "<=",
  gt: ">",
  gte: ">=",
  like: "LIKE",
};

export interface SqlFragment {
  sql: string;
  params: Scalar[];
}

/** SQLite has no booleans: bind them as 1/0. */
export function bindable(value: Scalar): string | number | null {
  return typeof value === "boolean" ? (value ? 1 : 0) : value;
}

/** `WHERE …` for a filter; columns checked against the catalog, values only as parameters. */
export function whereClause(catalog: Catalog, table: string, where: Where | undefined): SqlFragment {
  const parts: string[] = [];
  const params: Scalar[] = [];
  for (const [name, filter] of Object.entries(where ?? {})) {
    const column = quote(catalog.column(table, name));
    const condition: Condition = isCondition(filter) ? filter : { op: "eq", value: filter };
    parts.push(conditionSql(column, name, condition, params));
  }
  return { sql: parts.length === 0 ? "" : ` WHERE ${parts.join(" AND ")}`, params };
}

function isCondition(value: Scalar | Condition): value is Condition {
  return typeof value === "object" && value !== null;
}

function conditionSql(column: string, name: string, condition: Condition, params: Scalar[]): string {
  const { op, value } = condition;
  if (op === "is_null" || (op === "eq" && value === null)) return `${column} IS NULL`;
  if (op === "not_null" || (op === "ne" && value === null)) return `${column} IS NOT NULL`;
  if (op === "in" || op === "not_in") {
    if (!Array.isArray(value)) throw new ToolInputError(`where.${name}: "${op}" needs a list of values`);
    if (value.length === 0) return op === "in" ? "0" : "1";
    params.push(...value.map(bindable));
    return `${column} ${op === "in" ? "IN" : "NOT IN"} (${value.map(() => "?").join(", ")})`;
  }
  if (value === undefined || Array.isArray(value)) {
    throw new ToolInputError(`where.${name}: "${op}" needs a single value`);
  }
  params.push(bindable(value));
  return `${column} ${COMPARISONS[op]} ?`;
}

export type OrderBy = string | { column: string; direction?: "asc" | "desc" };

/** `ORDER BY …` from `"price"`, `"price desc"`, `{ column, direction }` or a list of these. */
export function orderClause(
  catalog: Catalog,
  table: string,
  orderBy: OrderBy | OrderBy[] | undefined,
): string {
  if (orderBy === undefined) return "";
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  const parts = items.map((item) => {
    const { column, direction } = typeof item === "string" ? parseOrder(item) : item;
    return `${quote(catalog.column(table, column))} ${direction === "desc" ? "DESC" : "ASC"}`;
  });
  return parts.length === 0 ? "" : ` ORDER BY ${parts.join(", ")}`;
}

function parseOrder(text: string): { column: string; direction?: "asc" | "desc" } {
  const match = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (match === null)
    throw new ToolInputError(`orderBy: expected "column" or "column asc|desc", got ${excerpt(text)}`);
  const direction = match[2]?.toLowerCase() as "asc" | "desc" | undefined;
  return { column: match[1] as string, ...(direction === undefined ? {} : { direction }) };
}
