import type { ZodType } from "zod";
import type { Command } from "./commands.js";

/** How an `interrupt` checks its answer. */
export interface InterruptOptions<T> {
  /**
   * The answer must satisfy this zod schema. It is stored with the question (as JSON Schema), so a
   * resume with a missing or invalid answer is refused before the run changes at all.
   */
  schema?: ZodType<T>;
}

/** How `ctx.waitForEvent` waits. */
export interface WaitForEventOptions<T> {
  /** Give up after this long: the wait returns `{ timedOut: true }`. Default: wait for ever. */
  timeoutMs?: number;
  /**
   * The payload must satisfy this zod schema. Stored with the wait (as JSON Schema), so a sender's
   * invalid payload is refused before anything is kept.
   */
  schema?: ZodType<T>;
}

/** What `ctx.waitForEvent` returns: the event's payload, or that the timeout passed first. */
export type EventResult<T> = { readonly timedOut: false; readonly payload: T } | { readonly timedOut: true };

/** How `ctx.runChild` starts its child. */
export interface RunChildOptions {
  /**
   * The child's run id. Default: derived from this task and the call's place in it, so the same
   * call after a crash, a retry or a wake finds the same child instead of starting a second one.
   */
  runId?: string;
}

/** A compiled graph `ctx.runChild` can start: its input and final state type the call. */
export interface ChildWorkflow {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: only the parameter's type is read (see `runChild`).
  invoke(input: any, options?: any): Promise<unknown>;
}

/** Retry policy of a node (or the graph-wide default). Delays in milliseconds. */
export interface RetryPolicy {
  /** Total attempts, the first included. 1 means no retry. */
  attempts: number;
  initialDelayMs?: number;
  backoffFactor?: number;
  maxDelayMs?: number;
  /** Randomise each delay by up to this fraction (0..1), or `true` for 0.2. */
  jitter?: boolean | number;
  /** Which errors are retried; default: every error but `NonRetryableError`. */
  retryOn?: (error: Error) => boolean;
}

/** What a node receives beside the state. */
export interface NodeContext {
  readonly runId: string;
  readonly node: string;
  readonly step: number;
  /** `runId:node:step[:sendIndex]` — the same for every attempt and after a crash; hand it to systems you call. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted on timeout, cancellation, or when the run stops. */
  readonly signal: AbortSignal;
  /** The input of a task started by `Send`; undefined otherwise. */
  readonly input: unknown;
  /** Publish custom progress on the run's event stream. */
  emit(data: unknown): void;
  /**
   * Pause the run for outside input. The first time, the run stops with status `interrupted` and
   * `payload` visible; after `resume(runId, value)` the node runs again and `interrupt` returns `value`.
   * Needs a store (not `compile({ store: false })`).
   */
  interrupt<T = unknown>(payload: unknown, options?: InterruptOptions<T>): T;
  /**
   * Sleep durably: the run is stored as `sleeping` and let go by this process; at the wake time a
   * runner (`baton worker`, `baton serve`, or the caller still waiting) continues it, after any
   * crash. The node's code runs again from the top then: its earlier `once`, `sleep` and
   * `waitForEvent` calls return at once what they returned before, so work before the sleep that
   * must not repeat belongs in `ctx.once` (or in an earlier node). Without a store, it just waits.
   */
  sleep(ms: number): Promise<void>;
  /** `sleep` until a time (a `Date` or epoch ms); a time in the past returns at once. */
  sleepUntil(date: Date | number): Promise<void>;
  /**
   * Wait durably for an event sent to this run (`graph.signal`, `baton signal`, the HTTP API). An
   * event sent before the run got here is kept and delivered; each event reaches one wait, once.
   * Runs again from the top on delivery, like `sleep`.
   */
  waitForEvent<T = unknown>(name: string, options?: WaitForEventOptions<T>): Promise<EventResult<T>>;
  /**
   * Run `fn` once for this task: its result (JSON) is kept with the task, and when the node runs
   * again after a sleep or an event wait, `once` returns the kept result without calling `fn`.
   */
  once<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /**
   * Start a separate durable run of another graph (or of a workflow by its `compile({ name })`)
   * and return its final state; a child that does not complete throws `ChildRunFailedError` (with
   * the child's status and error). The child's id comes from this task, so a crash or a retry never
   * starts a second one; it is linked to this run both ways, runs in this run's store, and while it
   * sleeps or waits this task waits durably for its end (any runner or worker continues it).
   * Cancelling this run cancels the child. A failed child is retried by this node's next attempt.
   */
  runChild<G extends ChildWorkflow>(
    workflow: G,
    input: Parameters<G["invoke"]>[0],
    options?: RunChildOptions,
  ): Promise<Awaited<ReturnType<G["invoke"]>>>;
  runChild<T = Record<string, unknown>>(
    workflow: string,
    input: unknown,
    options?: RunChildOptions,
  ): Promise<T>;
  /** End the run on purpose: it fails (and compensates completed steps) with this reason. */
  abort(reason: string): never;
}

export interface CompensationContext {
  readonly runId: string;
  readonly node: string;
  /** Stable per undo: `runId:node:step[:sendIndex]:undo`. */
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a node written `(s) => { … }` returns void and means "no update".
export type NodeReturn<U> = U | Command<U> | ReadonlyArray<U | Command<U>> | undefined | void;

export type NodeFunction<S, U> = (state: S, ctx: NodeContext) => NodeReturn<U> | Promise<NodeReturn<U>>;

export interface NodeOptions<S, U> {
  retry?: RetryPolicy;
  /** Milliseconds per attempt; the attempt's signal is aborted when it runs out. */
  timeout?: number;
  /** `continue`: a final failure is recorded under the graph's `errorKey` and the run goes on. */
  onError?: "fail" | "continue";
  /** Undo this node's effect; given the state when the saga unwinds and the node's own update. */
  compensate?: (state: S, result: U | undefined, ctx: CompensationContext) => unknown | Promise<unknown>;
  /** Retry policy for `compensate`. */
  compensateRetry?: RetryPolicy;
  /** Nodes this node may `goto` through a `Command` (for validation and drawing). */
  ends?: readonly string[];
  /**
   * Run only once nothing else is pending in the run: a deferred node triggered while other tasks
   * are still to run waits for them (and whatever they trigger), so it follows uneven fan-outs
   * without a hand-written join.
   */
  defer?: boolean;
}

/** What a router may return. */
export type RouteResult =
  | string
  | import("./commands.js").Send
  | ReadonlyArray<string | import("./commands.js").Send>;
export type Router<S> = (state: S) => RouteResult;

/** Which state keys pass into a subgraph and back out (see `StateGraph.addNode`). */
export interface SubgraphKeys {
  /** Keys both states have, or `{ outerKey: innerKey }`. Default: every key the two share. */
  input?: readonly string[] | Readonly<Record<string, string>>;
  /** Keys both states have, or `{ innerKey: outerKey }`. Default: every key the two share. */
  output?: readonly string[] | Readonly<Record<string, string>>;
}

/** A node that runs a compiled graph as a subgraph. */
export interface SubgraphSpec extends SubgraphKeys {
  /** The compiled inner graph (a `CompiledGraph`). */
  readonly graph: {
    readonly name: string;
    readonly spec: GraphSpec;
    readonly hash: string;
    readonly definition: { readonly channels: Readonly<Record<string, { readonly kind: string }>> };
  };
}

export interface NodeSpec {
  readonly name: string;
  /** Set for a subgraph node: `fn` runs the inner graph as a child run. */
  readonly subgraph?: SubgraphSpec;
  // biome-ignore lint/suspicious/noExplicitAny: stored type-erased; typed at addNode.
  readonly fn: NodeFunction<any, any>;
  // biome-ignore lint/suspicious/noExplicitAny: stored type-erased; typed at addNode.
  readonly options: NodeOptions<any, any>;
}

export interface EdgeSpec {
  /** One source: a plain edge. Several: a join that fires once all have finished. */
  readonly from: readonly string[];
  readonly to: string;
}

export interface BranchSpec {
  readonly from: string;
  // biome-ignore lint/suspicious/noExplicitAny: stored type-erased; typed at addConditionalEdges.
  readonly router: Router<any>;
  /** Router value -> node; a list means the router returns those names directly. */
  readonly pathMap?: Readonly<Record<string, string>>;
}

/** The plain description of a graph that validation, drawing, hashing and the engine read. */
export interface GraphSpec {
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly edges: readonly EdgeSpec[];
  readonly branches: readonly BranchSpec[];
  /** Names given to addNode more than once. */
  readonly duplicateNodes: readonly string[];
  readonly channels: readonly string[];
  readonly errorKey?: string;
}
