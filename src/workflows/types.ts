import type { CompiledGraph } from "../engine/compiled.js";
import type { Store } from "../engine/store.js";
import type { ChannelMap } from "../graph/state.js";
import type { McpManager } from "../mcp/manager.js";

/** What the `baton` command (or a worker, or the HTTP server) hands a workflow when it builds it. */
export interface WorkflowContext {
  /** The store runs go to; compile with it. */
  readonly store: Store;
  /** The MCP servers of the configuration (or the bundled ones), started on first use. */
  mcp(): Promise<McpManager>;
}

// biome-ignore lint/suspicious/noExplicitAny: a workflow may have any state.
export type AnyCompiledGraph = CompiledGraph<any>;

/**
 * A workflow file's default export: a compiled graph, or a function that builds one from the
 * context (so it can use the command's store and MCP servers).
 */
export type WorkflowExport<C extends ChannelMap = ChannelMap> =
  | CompiledGraph<C>
  | ((ctx: WorkflowContext) => CompiledGraph<C> | Promise<CompiledGraph<C>>);

/** A shipped workflow: its graph, and how a `--query` text becomes its input. */
export interface ShippedWorkflow {
  readonly name: string;
  readonly description: string;
  build(ctx: WorkflowContext): AnyCompiledGraph | Promise<AnyCompiledGraph>;
  /** The MCP servers its nodes call: a configuration without one of them is refused before a run starts. */
  servers?: readonly string[];
  /** Input used when the user gives neither --input nor --query. */
  defaultInput?: Record<string, unknown>;
  fromQuery?(query: string): Record<string, unknown>;
  /** A few human lines about a finished run's state, for the terminal. */
  summarize?(state: Record<string, unknown>): string;
}
