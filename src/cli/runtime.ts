import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Store } from "../engine/store.js";
import { loadMcpConfig } from "../mcp/config.js";
import type { McpConfig } from "../mcp/config-types.js";
import { McpManager } from "../mcp/manager.js";
import type { WorkflowContext } from "../workflows/types.js";
import { UsageError } from "./exit.js";

export interface RuntimeOptions {
  db?: string;
  config?: string;
  /** Read the MCP configuration only when a workflow first calls a tool (commands that may not). */
  lazyConfig?: boolean;
}

/** The store, MCP servers and workflow context one command uses; `close()` releases them all. */
export interface Runtime {
  readonly store: Store;
  readonly dbSpec: string;
  readonly ctx: WorkflowContext;
  close(): Promise<void>;
}

export const isPostgresUrl = (spec: string) => /^postgres(ql)?:\/\//.test(spec);

export function dbSpecOf(options: RuntimeOptions): string {
  return options.db ?? process.env.BATON_DB ?? resolve(".baton/baton.db");
}

export async function openStoreFor(spec: string): Promise<Store> {
  if (isPostgresUrl(spec)) {
    const { openPostgresStore } = await import("../stores/postgres/index.js");
    // `?schema=name` picks the schema the tables live in (default "baton"); the driver never sees it.
    const url = new URL(spec);
    const schema = url.searchParams.get("schema");
    url.searchParams.delete("schema");
    return openPostgresStore(url.toString(), schema ? { schema } : {});
  }
  const { openSqliteStore } = await import("../stores/sqlite/index.js");
  return openSqliteStore(resolve(spec));
}

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  if (options.config && !existsSync(options.config))
    throw new UsageError(`Config file not found: ${resolve(options.config)}`);
  // A bad configuration is a usage error now, not a failed node (and a stored run) later.
  const config = options.lazyConfig ? options.config : await loadConfig(options.config);
  const dbSpec = dbSpecOf(options);
  // Workflows that compile without an explicit store use the default store: point it at the same database.
  if (!isPostgresUrl(dbSpec)) process.env.BATON_DB = resolve(dbSpec);
  const store = await openStoreFor(dbSpec);
  let manager: Promise<McpManager> | undefined;
  const ctx: WorkflowContext = {
    store,
    mcp() {
      manager ??= startMcp(config);
      return manager;
    },
  };
  return {
    store,
    dbSpec,
    ctx,
    async close() {
      if (manager) await (await manager.catch(() => undefined))?.close();
      await store.close();
    },
  };
}

/** The MCP configuration: the given file, else `baton.config.json` here, else the bundled servers. */
export async function loadConfig(configPath: string | undefined): Promise<McpConfig> {
  try {
    return await loadMcpConfig(configPath);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function startMcp(config: string | McpConfig | undefined): Promise<McpManager> {
  const manager = new McpManager(typeof config === "object" ? config : await loadConfig(config));
  await manager.start();
  return manager;
}

/** Where `baton run file.ts` records which file a graph name came from, so `resume` can find it. */
function registryPath(dbSpec: string): string {
  return isPostgresUrl(dbSpec)
    ? resolve(".baton/workflows.json")
    : resolve(dirname(resolve(dbSpec)), "workflows.json");
}

export function rememberWorkflowPath(dbSpec: string, graph: string, path: string): void {
  const file = registryPath(dbSpec);
  const known = readRegistry(file);
  if (known[graph] === path) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...known, [graph]: path }, null, 2));
}

export function workflowPathFor(dbSpec: string, graph: string): string | undefined {
  return readRegistry(registryPath(dbSpec))[graph];
}

function readRegistry(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}
