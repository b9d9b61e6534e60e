/** The normalised MCP configuration: what `parseMcpConfig` returns and `McpManager` runs. */

/** Retries of a call that failed in transport (start failure, connection lost); never of an `isError` result. */
export interface RetrySettings {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the first retry; doubles for each further retry. */
  delayMs: number;
}

export interface CircuitSettings {
  /** Consecutive failures (start failures, lost connections, timeouts) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting a trial call through (half-open). */
  resetAfterMs: number;
  /** Successful trial calls in half-open state that close the circuit again. */
  successThreshold: number;
}

export interface ServerSettings {
  /** Default per-call timeout; a call that runs out is cancelled on the server. */
  timeoutMs: number;
  /** Time allowed for spawning/connecting, the handshake and the first tool listing. */
  startTimeoutMs: number;
  retry: RetrySettings;
  circuit: CircuitSettings;
  description?: string;
  /** Only these tools are listed and may be called (default: all the server offers). */
  tools?: ToolAccess;
}

/** Which of a server's tools Baton exposes; for a server that cannot restrict itself (a read-only filesystem). */
export interface ToolAccess {
  /** Tool names; a call to any other is refused with a `ToolError` before it reaches the server. */
  allow: string[];
}

export interface StdioServerConfig extends ServerSettings {
  transport: "stdio";
  command: string;
  args: string[];
  /** Added to the SDK's safe default environment (PATH, HOME, …), not to the whole parent environment. */
  env: Record<string, string>;
  cwd?: string;
}

export interface HttpServerConfig extends ServerSettings {
  transport: "http";
  url: string;
  headers: Record<string, string>;
}

export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** A validated, normalised configuration: every default filled in. */
export interface McpConfig {
  servers: Record<string, McpServerConfig>;
  /** The file it came from, `bundled`, or `inline`. */
  source: string;
}

export const DEFAULT_SERVER_SETTINGS: Readonly<Omit<ServerSettings, "description">> = Object.freeze({
  timeoutMs: 30_000,
  startTimeoutMs: 20_000,
  retry: Object.freeze({ attempts: 3, delayMs: 250 }),
  circuit: Object.freeze({ failureThreshold: 5, resetAfterMs: 60_000, successThreshold: 3 }),
});
