import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CallDeadline } from "./deadline.js";
import { McpTimeoutError, McpUnavailableError, ToolError } from "./errors.js";

/** What a failed call attempt means for the circuit, the connection and a retry. */
export interface CallFailure {
  /** What the caller gets if no retry follows. */
  error: unknown;
  /** How the attempt counts for the circuit breaker. */
  circuit: "success" | "failure" | "neutral";
  /** The connection is suspect: drop it so the next attempt starts afresh. */
  resetConnection: boolean;
  /** A retry may succeed (transport failures only; never a tool's own error or a timeout). */
  retryable: boolean;
}

/** Sorts out why an attempt failed: the caller, the clock, the transport, or the server's answer. */
export function classifyCallError(
  error: unknown,
  server: string,
  tool: string,
  deadline: CallDeadline,
): CallFailure {
  if (deadline.callerAborted) {
    return { error: deadline.callerReason(), circuit: "neutral", resetConnection: false, retryable: false };
  }
  if (deadline.timedOut) {
    return {
      error: new McpTimeoutError(server, tool, deadline.timeoutMs),
      circuit: "failure",
      resetConnection: false,
      retryable: false,
    };
  }
  if (error instanceof McpUnavailableError) {
    return { error, circuit: "failure", resetConnection: false, retryable: error.retryable };
  }
  if (error instanceof McpError) return classifyMcpError(error, server, tool);
  // Anything else came from the transport (a failed HTTP request, a broken pipe): the server is unreachable.
  const message = error instanceof Error ? error.message : String(error);
  return {
    error: new McpUnavailableError(
      server,
      "connection_closed",
      `MCP server "${server}" is unreachable: ${message}`,
      {
        tool,
        cause: error,
      },
    ),
    circuit: "failure",
    resetConnection: true,
    retryable: true,
  };
}

function classifyMcpError(error: McpError, server: string, tool: string): CallFailure {
  if (error.code === ErrorCode.ConnectionClosed) {
    const lost = new McpUnavailableError(
      server,
      "connection_closed",
      `MCP server "${server}" closed the connection during "${tool}"`,
      { tool, cause: error },
    );
    return { error: lost, circuit: "failure", resetConnection: true, retryable: true };
  }
  if (error.code === ErrorCode.RequestTimeout) {
    const timeout = new McpUnavailableError(
      server,
      "timeout",
      `Tool "${tool}" on MCP server "${server}" timed out`,
      {
        tool,
        cause: error,
      },
    );
    return { error: timeout, circuit: "failure", resetConnection: false, retryable: false };
  }
  // The server answered with a JSON-RPC error (unknown tool, invalid params): it is alive, the call is wrong.
  const message = error.message.replace(/^MCP error -?\d+: /, "");
  return {
    error: new ToolError(server, tool, message, { details: error.data ?? message, protocolCode: error.code }),
    circuit: "success",
    resetConnection: false,
    retryable: false,
  };
}
