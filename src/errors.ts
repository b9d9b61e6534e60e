/**
 * Every error Baton raises is a `BatonError` with a stable `code` and the context a reader needs
 * (run, node, step). Errors thrown by user code are wrapped with `coerceError` first.
 */
export type ErrorCode =
  | "GRAPH_INVALID"
  | "INPUT_INVALID"
  | "UPDATE_INVALID"
  | "WRITE_CONFLICT"
  | "ROUTER_TARGET"
  | "STEP_LIMIT"
  | "NODE_FAILED"
  | "NODE_TIMEOUT"
  | "RUN_NOT_FOUND"
  | "RUN_STATE"
  | "GRAPH_CHANGED"
  | "RUN_CANCELLED"
  | "RUN_ABORTED"
  | "COMPENSATION_FAILED"
  | "NON_RETRYABLE"
  | "STORE"
  | "CONFIG_INVALID"
  | "TOOL_ERROR"
  | "MCP_UNAVAILABLE";

export interface ErrorContext {
  runId?: string;
  node?: string;
  step?: number;
}

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly runId?: string;
  readonly node?: string;
  readonly step?: number;

  constructor(code: ErrorCode, message: string, context: ErrorContext & { cause?: unknown } = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    if (context.runId !== undefined) this.runId = context.runId;
    if (context.node !== undefined) this.node = context.node;
    if (context.step !== undefined) this.step = context.step;
  }
}

/** A graph that cannot run: raised by `compile()`, naming the offender. */
export class GraphValidationError extends BatonError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super("GRAPH_INVALID", `Invalid graph: ${problems.join("; ")}`);
    this.problems = problems;
  }
}

/** A node attempt that ran out of time; its signal was aborted. */
export class NodeTimeoutError extends BatonError {
  readonly timeoutMs: number;
  constructor(node: string, timeoutMs: number, context: ErrorContext = {}) {
    super("NODE_TIMEOUT", `Node "${node}" timed out after ${timeoutMs} ms`, { ...context, node });
    this.timeoutMs = timeoutMs;
  }
}

/** Throw this (or a subclass) from a node to fail it at once, skipping any retries left. */
export class NonRetryableError extends BatonError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("NON_RETRYABLE", message, options);
  }
}

/** A node failed for good; `cause` is what it threw. */
export class NodeFailedError extends BatonError {
  readonly attempts: number;
  constructor(node: string, cause: Error, attempts: number, context: ErrorContext = {}) {
    super(
      "NODE_FAILED",
      `Node "${node}" failed${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${cause.message}`,
      {
        ...context,
        node,
        cause,
      },
    );
    this.attempts = attempts;
  }
}

/** Anything thrown by user code, as an Error. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

/** A plain, storable description of an error. */
export interface ErrorInfo {
  name: string;
  message: string;
  code?: string;
  node?: string;
  stack?: string;
}

export function errorInfo(error: unknown): ErrorInfo {
  const e = coerceError(error);
  const info: ErrorInfo = { name: e.name, message: e.message };
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") info.code = code;
  if (e instanceof BatonError && e.node !== undefined) info.node = e.node;
  return info;
}
