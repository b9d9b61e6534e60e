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
  | "RUN_BUSY"
  | "RUN_CONFLICT"
  | "GRAPH_CHANGED"
  | "RUN_CANCELLED"
  | "RUN_ABORTED"
  | "COMPENSATION_FAILED"
  | "NON_RETRYABLE"
  | "STORE"
  | "CONFIG_INVALID"
  | "TOOL_ERROR"
  | "MCP_UNAVAILABLE"
  | "JOURNAL_MISMATCH"
  | "SCHEDULE_INVALID"
  | "SCHEDULE_NOT_FOUND"
  | "SCHEDULE_EXISTS"
  | "CHILD_FAILED"
  | "WORKFLOW_UNKNOWN";

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
  constructor(message: string, options: ErrorContext & { cause?: unknown; code?: ErrorCode } = {}) {
    const { code, ...context } = options;
    super(code ?? "NON_RETRYABLE", message, context);
  }
}

/** A node failed for good; `cause` is what it threw. */
export class NodeFailedError extends BatonError {
  readonly attempts: number;
  constructor(node: string, cause: Error, attempts: number, context: ErrorContext = {}) {
    super(
      "NODE_FAILED",
      `Node "${node}" failed${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${messageOf(cause)}`,
      {
        ...context,
        node,
        cause,
      },
    );
    this.attempts = attempts;
  }
}

/**
 * Anything thrown by user code, as an Error whose message says something: `throw undefined`,
 * `throw null` or `throw ""` become an error saying so (and what to throw instead).
 */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (thrown === undefined || thrown === null || thrown === "")
    return new Error(
      `threw ${thrown === "" ? "an empty string" : String(thrown)} instead of an Error (throw new Error("what went wrong"))`,
    );
  if (typeof thrown === "string") return new Error(thrown);
  try {
    const json = JSON.stringify(thrown);
    if (json !== undefined) return new Error(json);
  } catch {
    // Not serialisable (a cycle, a BigInt): its string form below.
  }
  return new Error(String(thrown));
}

/** An error's message, or a stand-in naming its type when it has none (`throw new Error()`). */
export function messageOf(error: Error): string {
  return error.message === "" ? `${error.name} with no message` : error.message;
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
  const info: ErrorInfo = { name: e.name, message: messageOf(e) };
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") info.code = code;
  if (e instanceof BatonError && e.node !== undefined) info.node = e.node;
  return info;
}
