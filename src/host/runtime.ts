import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setDefaultStoreProvider } from "../engine/default-store.js";
import type { Store } from "../engine/store.js";
import { provideWorkflows } from "../engine/workflow-registry.js";
import type { McpConfig } from "../mcp/config-types.js";
import type { McpManager } from "../mcp/manager.js";
import type { WorkflowContext } from "../workflows/types.js";
import type { LoadedWorkflow } from "./load-workflow.js";
import type { InputOptions } from "./run-input.js";
import { UsageError } from "./usage-error.js";

export interface RuntimeOptions {
  db?: string;
  config?: string;
  /** Read the MCP configuration only when a workflow first calls a tool (commands that may not). */
  lazyConfig?: boolean;
  /**
   * `baton run`: start the MCP servers a shipped workflow uses once it is loaded and the run's input
   * (`input`, `inputFile`, `query`) is valid, all at once, saying so on stderr unless `json`, so their
   * start is not counted in the first node's time.
   */
  prestartMcp?: boolean;
  json?: boolean;
}

/** The store, MCP servers and workflow context one command uses; `close()` releases them all. */
export interface Runtime {
  readonly store: Store;
  readonly dbSpec: string;
  readonly ctx: WorkflowContext;
  /** Why the store is open for reading only (a SQLite file this user cannot write); its writes are refused. */
  readonly readOnly?: string;
  /** Refuse, before anything starts, a command that must record runs in a read-only store. */
  requireWritable(what: string): void;
  /**
   * Refuse a run before it starts when the workflow calls MCP servers (`servers`) the
   * configuration lacks, naming them and the configuration.
   */
  requireServers(servers: readonly string[] | undefined, workflow: string): Promise<void>;
  close(): Promise<void>;
}

export const isPostgresUrl = (spec: string) => /^postgres(ql)?:\/\//.test(spec);

export function dbSpecOf(options: RuntimeOptions): string {
  return options.db ?? process.env.BATON_DB ?? resolve(".baton/baton.db");
}

export async function openStoreFor(spec: string): Promise<Store> {
  return (await openStore(spec)).store;
}

/**
 * The store behind `--db`. A SQLite path that cannot hold a database (a folder, a file that is not
 * SQLite, a new file in a folder this user cannot write) is a usage error naming it; a database this
 * user may only read is opened for reading (a copy, taken now), and every write to it is refused.
 */
async function openStore(spec: string): Promise<{ store: Store; readOnly?: string }> {
  if (isPostgresUrl(spec)) {
    const { openPostgresStore } = await import("../stores/postgres/index.js");
    // `?schema=name` picks the schema the tables live in (default "baton"); the driver never sees it.
    const url = new URL(spec);
    const schema = url.searchParams.get("schema");
    url.searchParams.delete("schema");
    return { store: await openPostgresStore(url.toString(), schema ? { schema } : {}) };
  }
  const { checkSqlitePath, openSqliteSnapshot, openSqliteStore } = await import("../stores/sqlite/open.js");
  const path = resolve(spec);
  try {
    const { readOnly } = checkSqlitePath(path);
    if (readOnly === undefined) return { store: openSqliteStore(path) };
    const why = `${path} is read-only (${readOnly})`;
    return { store: refuseWrites(openSqliteSnapshot(path), why), readOnly: why };
  } catch (error) {
    // Opening failures name the file and what to do: a configuration error, not a crash.
    if ((error as { code?: unknown }).code === "STORE")
      throw new UsageError((error as Error).message, { cause: error });
    throw error;
  }
}

/** Store methods that write (the `Store` interface's, and any a store adds with such a name). */
const WRITES = /^(create|put|update|append|acquire|release|heartbeat|claim|delete|insert|set|enqueue|cancel)/;

/** A store whose reads go through and whose writes reject with a usage error saying why. */
function refuseWrites<S extends Store>(store: S, why: string): S {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      if (typeof key === "string" && WRITES.test(key))
        return () =>
          Promise.reject(
            new UsageError(
              `${why}: this command needs to write to it; make it writable, or use another --db`,
            ),
          );
      return value.bind(target);
    },
  });
}

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  if (options.config && !existsSync(options.config))
    throw new UsageError(`Config file not found: ${resolve(options.config)}`);
  // A bad configuration is a usage error now, not a failed node (and a stored run) later.
  const config = options.lazyConfig ? options.config : await loadConfig(options.config);
  const dbSpec = dbSpecOf(options);
  const { store, readOnly } = await openStore(dbSpec);
  // Workflows that compile without an explicit store use the default store: this one (so a
  // read-only database stays read-only for them too), and BATON_DB for any child process.
  const sqlite = !isPostgresUrl(dbSpec);
  if (sqlite) {
    process.env.BATON_DB = resolve(dbSpec);
    setDefaultStoreProvider(() => store);
  }
  let manager: Promise<McpManager> | undefined;
  const ctx: WorkflowContext = {
    store,
    mcp() {
      manager ??= startMcp(config);
      return manager;
    },
  };
  // `ctx.runChild("name")` finds workflows as `baton worker` does: files run before, shipped ones.
  let source: Promise<(name: string) => Promise<object>> | undefined;
  provideWorkflows(store, async (name) => {
    source ??= import("./workflow-source.js").then((m) => m.workflowSource(ctx, dbSpec, []));
    return (await source)(name);
  });
  if (options.prestartMcp)
    prestarts.set(ctx, async (workflow) => {
      if (manager || !(await runWillStart(workflow, options))) return;
      const started = prestartMcp(config, workflow.servers, options.json ? undefined : process.stderr);
      manager = started.then((s) => s.manager);
      await started;
    });
  return {
    store,
    dbSpec,
    ctx,
    ...(readOnly ? { readOnly } : {}),
    requireWritable(what) {
      if (readOnly)
        throw new UsageError(
          `${readOnly}: ${what} needs to write to it; make it writable, or use another --db`,
        );
    },
    async requireServers(servers, workflow) {
      if (!servers || servers.length === 0) return;
      const resolved = typeof config === "object" ? config : await loadConfig(config);
      const missing = servers.filter((name) => !Object.hasOwn(resolved.servers, name));
      if (missing.length === 0) return;
      const { bundledServerNames } = await import("../mcp/bundled.js");
      const quote = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");
      const needs = `${workflow} needs the MCP server${missing.length > 1 ? "s" : ""} ${quote(missing)}`;
      if (resolved.source === "bundled")
        throw new UsageError(
          `${needs}, which the bundled servers (${bundledServerNames.join(", ")}) do not include; configure ${missing.length > 1 ? "them" : "it"} under "mcpServers" in baton.config.json, or pass --config`,
        );
      const have = Object.keys(resolved.servers);
      const bundled = missing.find((n) => (bundledServerNames as readonly string[]).includes(n));
      throw new UsageError(
        `${needs}, which ${resolved.source} does not configure (it has ${have.length ? quote(have) : "none"}); add ${missing.length > 1 ? "them" : "it"} under "mcpServers"${bundled ? ` (the bundled one: "${bundled}": { "bundled": "${bundled}" })` : ""}`,
      );
    },
    async close() {
      if (manager) await (await manager.catch(() => undefined))?.close();
      await store.close();
      // Later graphs (in this process) open the default file again.
      if (sqlite) (await import("../stores/default.js")).registerDefaultStore();
    },
  };
}

/** The MCP configuration: the given file, else `baton.config.json` here, else the bundled servers. */
export async function loadConfig(configPath: string | undefined): Promise<McpConfig> {
  const { loadMcpConfig } = await import("../mcp/config.js");
  try {
    return await loadMcpConfig(configPath);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function startMcp(config: string | McpConfig | undefined): Promise<McpManager> {
  const { McpManager } = await import("../mcp/manager.js");
  const manager = new McpManager(typeof config === "object" ? config : await loadConfig(config));
  await manager.start();
  return manager;
}

const prestarts = new WeakMap<WorkflowContext, (workflow: LoadedWorkflow) => Promise<void>>();

/**
 * Start the MCP servers a workflow uses now, when its context comes from a runtime opened with
 * `prestartMcp` (else nothing happens: the servers start on the first tool call): those of its
 * `servers`, or every configured one when it does not say.
 */
export async function prestartMcpFor(ctx: WorkflowContext, workflow: LoadedWorkflow): Promise<void> {
  await prestarts.get(ctx)?.(workflow);
}

/**
 * Whether the run is going to start: its input is valid (else the run's own error says so, with
 * nothing started before it) and the configuration has every server it names (else it is refused).
 */
async function runWillStart(
  workflow: LoadedWorkflow,
  options: RuntimeOptions & InputOptions,
): Promise<boolean> {
  const [{ readInput, runInput }, { validateInput }] = await Promise.all([
    import("./run-input.js"),
    import("../engine/input.js"),
  ]);
  try {
    validateInput(workflow.graph.definition, runInput(workflow, readInput(options), options.query));
    return true;
  } catch {
    return false;
  }
}

async function prestartMcp(
  config: string | McpConfig | undefined,
  servers: readonly string[] | undefined,
  out: NodeJS.WritableStream | undefined,
): Promise<{ manager: McpManager }> {
  const [{ McpManager }, resolved, { mcpStartPrinter }] = await Promise.all([
    import("../mcp/manager.js"),
    typeof config === "object" ? config : loadConfig(config),
    import("./terminal.js"),
  ]);
  const manager = new McpManager(resolved);
  // A server the configuration lacks: the run is refused (before anything starts).
  if (servers?.some((s) => !manager.has(s))) return { manager };
  const names = servers ? manager.serverNames.filter((n) => servers.includes(n)) : manager.serverNames;
  if (names.length === 0) return { manager };
  const shown = out
    ? mcpStartPrinter((t) => out.write(t), Boolean((out as { isTTY?: boolean }).isTTY))
    : undefined;
  const t0 = performance.now();
  shown?.starting(names);
  const results = await manager.start(names);
  shown?.started(results, performance.now() - t0);
  return { manager };
}
