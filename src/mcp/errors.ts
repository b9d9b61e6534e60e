import { BatonError } from "../errors.js";

/** Why a server could not serve a call. Timeouts and start failures are the server's fault, not the tool's. */
export type McpUnavailableReason =
  | "unknown_server"
  | "start_failed"
  | "connection_closed"
  | "timeout"
  | "circuit_open"
  | "closed";

/** The tool ran and reported a failure (`isError`), or the server answered the call with a protocol error. */
export class ToolError extends BatonError {
  readonly server: string;
  readonly tool: string;
  /** The decoded error payload (text, or the parsed JSON/structured content), for callers that want detail. */
  readonly details: unknown;
  /** JSON-RPC error code when the server answered with a protocol error instead of an `isError` result. */
  readonly protocolCode?: number;

  constructor(
    server: string,
    tool: string,
    message: string,
    options: { details?: unknown; protocolCode?: number } = {},
  ) {
    super("TOOL_ERROR", `Tool "${tool}" on MCP server "${server}" failed: ${message}`);
    this.server = server;
    this.tool = tool;
    this.details = options.details ?? message;
    if (options.protocolCode !== undefined) this.protocolCode = options.protocolCode;
  }
}

/** The server could not be reached, did not start, died, timed out, or its circuit is open. */
export class McpUnavailableError extends BatonError {
  readonly server: string;
  readonly tool?: string;
  readonly reason: McpUnavailableReason;
  /** Whether trying the same call again (later) may succeed. */
  readonly retryable: boolean;

  constructor(
    server: string,
    reason: McpUnavailableReason,
    message: string,
    options: { tool?: string; cause?: unknown } = {},
  ) {
    super("MCP_UNAVAILABLE", message, options.cause === undefined ? {} : { cause: options.cause });
    this.server = server;
    this.reason = reason;
    this.retryable = reason === "start_failed" || reason === "connection_closed";
    if (options.tool !== undefined) this.tool = options.tool;
  }
}

/** A call that ran out of time; the server was sent `notifications/cancelled`. */
export class McpTimeoutError extends McpUnavailableError {
  readonly timeoutMs: number;
  constructor(server: string, tool: string, timeoutMs: number) {
    super(server, "timeout", `Tool "${tool}" on MCP server "${server}" timed out after ${timeoutMs} ms`, {
      tool,
    });
    this.timeoutMs = timeoutMs;
  }
}

/** A call refused without trying because the server failed repeatedly; `retryAt` says when it may be tried. */
export class CircuitOpenError extends McpUnavailableError {
  readonly retryAt: Date;
  constructor(server: string, retryAt: Date, tool?: string) {
    super(
      server,
      "circuit_open",
      `MCP server "${server}" is unavailable: circuit open after repeated failures (next try at ${retryAt.toISOString()})`,
      tool === undefined ? {} : { tool },
    );
    this.retryAt = retryAt;
  }
}

/** An invalid `mcpServers` configuration; every problem names the server and the field. */
export class McpConfigError extends BatonError {
  readonly issues: string[];
  readonly source?: string;
  constructor(issues: string[], source?: string) {
    const where = source === undefined ? "" : ` in ${source}`;
    super("CONFIG_INVALID", `Invalid MCP configuration${where}: ${issues.join("; ")}`);
    this.issues = issues;
    if (source !== undefined) this.source = source;
  }
}
