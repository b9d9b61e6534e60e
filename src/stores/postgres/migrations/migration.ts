/**
 * One step of the schema's history. `sql` runs with `search_path` set to the store's schema, so it
 * names no schema itself. Migrations are never edited once released: add a new one instead.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
