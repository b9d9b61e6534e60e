import type { CircuitState } from "./circuit-breaker.js";

/** A tool as a server lists it. */
export interface ToolInfo {
  server: string;
  name: string;
  title?: string;
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  /** JSON Schema of `structuredContent`, when the tool declares one. */
  outputSchema?: Record<string, unknown>;
}

/** What `McpManager.start()` reports per server. */
export interface ServerStartResult {
  name: string;
  ok: boolean;
  /** Why it did not start. */
  error?: Error;
  /** The tools it listed when it did. */
  tools?: ToolInfo[];
}

export type ConnectionState = "idle" | "starting" | "ready" | "dead" | "closed";

export interface ServerStatus {
  name: string;
  transport: "stdio" | "http";
  state: ConnectionState;
  /** The child process of a stdio server while it runs. */
  pid: number | null;
  circuit: CircuitState;
  /** Result of the last health check; `undefined` before the first. */
  healthy?: boolean;
  /** How many times it was started after the first start. */
  restarts: number;
  lastError?: string;
}

export interface HealthReport {
  name: string;
  healthy: boolean;
  /** The check (re)started the server. */
  restarted: boolean;
  error?: string;
}

export interface CallToolOptions {
  /** Aborts the call (and cancels it on the server); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the server's `timeoutMs` for this call; covers a (re)start and retries too. */
  timeoutMs?: number;
  /** Sent in the request `_meta` so the server can deduplicate a repeated call. */
  idempotencyKey?: string;
  /** Extra `_meta` fields for the request. */
  meta?: Record<string, unknown>;
}

/** The request `_meta` key carrying the idempotency key. */
export const IDEMPOTENCY_META_KEY = "baton/idempotencyKey";

/** Anything that can call a tool: `McpManager`, or a fake in tests. */
export interface ToolInvoker {
  callTool<T = unknown>(
    server: string,
    tool: string,
    args?: Record<string, unknown>,
    options?: CallToolOptions,
  ): Promise<T>;
}

export type McpEvent =
  | { type: "server_started"; server: string; pid: number | null; restart: boolean }
  | { type: "server_start_failed"; server: string; error: Error }
  | { type: "server_exited"; server: string; pid: number | null }
  | { type: "circuit_changed"; server: string; from: CircuitState; to: CircuitState }
  | { type: "health_check_failed"; server: string; error: Error }
  | { type: "call_retrying"; server: string; tool: string; attempt: number; delayMs: number; error: Error }
  | { type: "stderr"; server: string; text: string };

export interface McpManagerOptions {
  /** Health check period; 0 turns the monitor off. Default 30 s. */
  healthIntervalMs?: number;
  /** Time a health check (ping) may take. Default 5 s. */
  healthTimeoutMs?: number;
  /** Name and version the client announces in the handshake. */
  clientInfo?: { name: string; version: string };
  /** Lifecycle events (starts, exits, circuit changes, retries, server stderr). Must not throw. */
  onEvent?: (event: McpEvent) => void;
  /** Clock for the circuit breakers (tests). */
  now?: () => number;
}
