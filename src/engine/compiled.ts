import { BatonError, type ErrorInfo, errorInfo } from "../errors.js";
import { structureHash } from "../graph/hash.js";
import { toMermaid } from "../graph/mermaid.js";
import type { ChannelMap, StateDefinition, StateOf, UpdateOf } from "../graph/state.js";
import type { GraphSpec, RetryPolicy } from "../graph/types.js";
import { activeRun, registerActive } from "./active-runs.js";
import { defaultStore } from "./default-store.js";
import { registerEngine } from "./engine-registry.js";
import { eventStream } from "./event-stream.js";
import { type EventListener, type RunEvent, safeEmitter } from "./events.js";
import { validateInput } from "./input.js";
import { drive, type Engine, type Position, type RunOutcome } from "./loop.js";
import { deliverResume, loadPosition, seedRun } from "./position.js";
import { recordOutcome } from "./record-outcome.js";
import type { InterruptInfo, RunRecord, RunStatus, TaskSpec } from "./records.js";
import { isFinished, lastCheckpoint, stateAt, tasksByStep } from "./replay.js";
import { routingTable } from "./routing.js";
import { CancelReason } from "./signals.js";
import type { StepRunner } from "./step-runner.js";
import type { Store } from "./store.js";
import { applyWrites } from "./writes.js";

export interface CompileOptions {
  /** Where runs are kept; default: the SQLite file `.baton/baton.db` (or `BATON_DB`). `false`: keep nothing. */
  store?: Store | false;
  /** The workflow's name, recorded with each run. */
  name?: string;
  /** Most tasks running at once in a step (default: no limit). */
  maxConcurrency?: number;
  /** Most steps a run may take (default 1,000). */
  stepLimit?: number;
  /** Graph-wide retry policy for nodes that set none. */
  retry?: RetryPolicy;
}

export interface RunOptions {
  /** An id you choose; starting the same id twice returns the same run. */
  runId?: string;
  signal?: AbortSignal;
  onEvent?: EventListener;
  queue?: string;
}

export interface ResumeOptions {
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** Resume even though the graph's structure changed since the run started. */
  force?: boolean;
  /** Run a failed or cancelled run again from its last checkpoint (its failed step runs afresh). */
  retry?: boolean;
  /** How each step's tasks run; `baton worker` spreads large steps over workers. Default: here. */
  stepRunner?: StepRunner;
}

export interface RunResult<S> {
  runId: string;
  status: RunStatus;
  state: S;
  error?: ErrorInfo;
  interrupts?: InterruptInfo[];
  steps: number;
  durationMs: number;
}

export interface RunSnapshot<S> {
  run: RunRecord;
  state: S;
  next: readonly TaskSpec[];
}

export interface HistoryEntry<S> {
  step: number;
  createdAt: number;
  next: readonly TaskSpec[];
  state: S;
}

export interface CompiledGraph<C extends ChannelMap> {
  readonly name: string;
  readonly hash: string;
  readonly spec: GraphSpec;
  readonly definition: StateDefinition<C>;
  readonly store: Store | undefined;
  /** Run to the end and return the final state; throws `RunFailedError` unless it completes or pauses. */
  invoke(input: UpdateOf<C>, options?: RunOptions): Promise<StateOf<C>>;
  /** Run to the end and return how it ended, whatever that was. */
  run(input: UpdateOf<C>, options?: RunOptions): Promise<RunResult<StateOf<C>>>;
  /** Run, yielding every event as it happens. */
  stream(input: UpdateOf<C>, options?: Omit<RunOptions, "onEvent">): AsyncGenerator<RunEvent>;
  /** Continue a paused (or crashed) run; `value` is what the pending `interrupt()` returns. */
  resume(runId: string, value?: unknown, options?: ResumeOptions): Promise<RunResult<StateOf<C>>>;
  getState(runId: string): Promise<RunSnapshot<StateOf<C>>>;
  history(runId: string): Promise<HistoryEntry<StateOf<C>>[]>;
  /** Start a new run from a checkpoint of an old one, with `update` applied to its state. */
  fork(
    runId: string,
    options: { step: number; update?: UpdateOf<C>; runId?: string } & ResumeOptions,
  ): Promise<RunResult<StateOf<C>>>;
  /**
   * Abort a run through its nodes' signals; optionally undo its completed steps. A run executing in
   * another process is asked through the store; `takeOver` cancels it here (its process is gone).
   */
  cancel(runId: string, options?: { compensate?: boolean; takeOver?: boolean }): Promise<void>;
  toMermaid(): string;
}

export class RunFailedError extends BatonError {
  readonly result: RunResult<unknown>;
  constructor(result: RunResult<unknown>) {
    const why = result.error ? `: ${result.error.message}` : "";
    super("NODE_FAILED", `Run ${result.runId} ended ${result.status}${why}`, { runId: result.runId });
    this.result = result;
  }
}

export function createCompiledGraph<C extends ChannelMap>(
  definition: StateDefinition<C>,
  spec: GraphSpec,
  options: CompileOptions,
): CompiledGraph<C> {
  type S = StateOf<C>;
  const hash = structureHash(spec);
  const store = options.store === false ? undefined : (options.store ?? defaultStore());
  if (options.store === undefined && !store) {
    throw new BatonError(
      "STORE",
      'No default store is registered; pass compile({ store }) or import from "baton"',
    );
  }
  const engine: Engine = {
    name: options.name ?? "graph",
    definition,
    spec,
    table: routingTable(spec),
    maxConcurrency: options.maxConcurrency ?? Number.POSITIVE_INFINITY,
    stepLimit: options.stepLimit ?? 1000,
    retry: options.retry,
    now: Date.now,
  };

  const requireStore = (what: string): Store => {
    if (!store)
      throw new BatonError("STORE", `${what} needs a store; this graph was compiled with store: false`);
    return store;
  };
  const requireRun = async (runId: string): Promise<RunRecord> => {
    const run = await requireStore("Reading a run").getRun(runId);
    if (!run) throw new BatonError("RUN_NOT_FOUND", `No run with id "${runId}"`, { runId });
    return run;
  };

  /** Drive a run to where it stops, record how it ended, and report it. */
  async function execute(
    runId: string,
    pos: Position,
    opts: RunOptions & { resumed: boolean; stepRunner?: StepRunner },
  ): Promise<RunResult<S>> {
    const started = engine.now();
    const emit = safeEmitter(opts.onEvent ? [opts.onEvent] : []);
    const controller = new AbortController();
    const unregister = registerActive(runId, controller);
    const forward = () =>
      controller.abort(
        opts.signal?.reason instanceof CancelReason ? opts.signal.reason : new CancelReason(false),
      );
    opts.signal?.addEventListener("abort", forward, { once: true });
    if (opts.signal?.aborted) forward();
    const poll = store && !store.local ? pollCancel(store, runId, controller) : undefined;
    emit?.({ type: "run_started", runId, at: started, graph: engine.name, resumed: opts.resumed });
    let outcome: RunOutcome;
    try {
      outcome = await drive(engine, store, runId, pos, emit, controller.signal, opts.stepRunner);
    } catch (error) {
      outcome = { status: "failed", state: pos.state, error: errorInfo(error), steps: pos.step };
    } finally {
      if (poll) clearInterval(poll);
      opts.signal?.removeEventListener("abort", forward);
      unregister();
    }
    if (store) await recordOutcome(store, runId, outcome, emit, engine.now);
    const durationMs = engine.now() - started;
    emit?.({
      type: "run_finished",
      runId,
      at: engine.now(),
      status: outcome.status,
      ...(outcome.error ? { error: outcome.error } : {}),
      durationMs,
    });
    return {
      runId,
      status: outcome.status,
      state: outcome.state as S,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.interrupts ? { interrupts: outcome.interrupts } : {}),
      steps: outcome.steps,
      durationMs,
    };
  }

  async function start(input: UpdateOf<C>, opts: RunOptions = {}): Promise<RunResult<S>> {
    const writes = validateInput(definition, input);
    const runId = opts.runId ?? globalThis.crypto.randomUUID();
    if (store) {
      const { run, created } = await store.createRun({
        id: runId,
        graph: engine.name,
        graphHash: hash,
        status: "running",
        input,
        ...(opts.queue ? { queue: opts.queue } : {}),
      });
      if (!created) return resultOf(run);
    }
    const pos = await seed(runId, writes, "__input__");
    return execute(runId, pos, { ...opts, resumed: false });
  }

  /** Step 0: the input's writes, then what START triggers (see `seedRun`). */
  function seed(
    runId: string,
    writes: Array<readonly [string, unknown]>,
    taskId: string,
    mode?: "set",
    from?: Pick<Position, "next" | "joins">,
  ): Promise<Position> {
    return seedRun(engine, store, runId, writes, { taskId, ...(mode ? { mode } : {}), ...from });
  }

  async function resultOf(run: RunRecord): Promise<RunResult<S>> {
    const snapshot = await getState(run.id);
    return {
      runId: run.id,
      status: run.status,
      state: snapshot.state,
      ...(run.error ? { error: run.error } : {}),
      ...(run.interrupts ? { interrupts: [...run.interrupts] } : {}),
      steps: run.step,
      durationMs: 0,
    };
  }

  async function getState(runId: string): Promise<RunSnapshot<S>> {
    const run = await requireRun(runId);
    const [checkpoints, records] = await Promise.all([
      store!.listCheckpoints(runId),
      store!.listTasks(runId),
    ]);
    const last = lastCheckpoint(checkpoints);
    const state = stateAt(definition, tasksByStep(records), last?.step ?? 0) as S;
    return { run, state, next: last?.next ?? [] };
  }

  async function resume(runId: string, value?: unknown, opts: ResumeOptions = {}): Promise<RunResult<S>> {
    const run = await requireRun(runId);
    if (activeRun(runId)) {
      throw new BatonError("RUN_STATE", `Run ${runId} is running in this process already`, { runId });
    }
    if (run.graphHash !== hash && !opts.force) {
      throw new BatonError(
        "GRAPH_CHANGED",
        `Run ${runId} was started by a graph of a different structure (${run.graphHash}, now ${hash}); resume with force to run it anyway`,
        { runId },
      );
    }
    const retrying = opts.retry === true && (run.status === "failed" || run.status === "cancelled");
    if (!retrying && !["interrupted", "running", "compensating", "pending"].includes(run.status)) {
      throw new BatonError(
        "RUN_STATE",
        `Run ${runId} is ${run.status}; only interrupted, pending or crashed runs can be resumed (failed or cancelled ones with retry)`,
        { runId },
      );
    }
    const pos = await loadPosition(engine, store!, run);
    // A stored failure is final (a crashed run does not get its attempts back); a retry runs it afresh.
    if (retrying) for (const [id, r] of pos.pending ?? []) if (r.status === "failed") pos.pending!.delete(id);
    if (run.status === "interrupted") await deliverResume(store!, pos, value);
    await store!.updateRun(runId, {
      status: pos.compensating ? "compensating" : "running",
      ...(opts.force ? { graphHash: hash } : {}),
      clear: retrying ? ["interrupts", "error"] : ["interrupts"],
    });
    return execute(runId, pos, { ...opts, resumed: true });
  }

  return registerEngine<CompiledGraph<C>>(engine, {
    name: engine.name,
    hash,
    spec,
    definition,
    store,
    run: start,
    async invoke(input, opts) {
      const result = await start(input, opts);
      if (result.status !== "completed" && result.status !== "interrupted") throw new RunFailedError(result);
      return result.state;
    },
    stream(input, opts = {}) {
      return eventStream((onEvent) => start(input, { ...opts, onEvent }));
    },
    resume,
    getState,
    async history(runId) {
      await requireRun(runId);
      const [checkpoints, records] = await Promise.all([
        store!.listCheckpoints(runId),
        store!.listTasks(runId),
      ]);
      const byStep = tasksByStep(records.filter(isFinished));
      return [...checkpoints]
        .sort((a, b) => a.step - b.step)
        .map((c) => ({
          step: c.step,
          createdAt: c.createdAt,
          next: c.next,
          state: stateAt(definition, byStep, c.step) as S,
        }));
    },
    async fork(runId, opts) {
      const source = await requireRun(runId);
      const checkpoint = (await store!.listCheckpoints(runId)).find((c) => c.step === opts.step);
      if (!checkpoint)
        throw new BatonError("RUN_STATE", `Run ${runId} has no checkpoint at step ${opts.step}`, { runId });
      const state = stateAt(definition, tasksByStep(await store!.listTasks(runId)), opts.step);
      if (opts.update)
        applyWrites(
          definition.channels,
          state,
          [{ taskId: "__edit__", node: "__edit__", writes: validateInput(definition, opts.update) }],
          opts.step,
        );
      const newId = opts.runId ?? globalThis.crypto.randomUUID();
      const { created } = await store!.createRun({
        id: newId,
        graph: engine.name,
        graphHash: hash,
        status: "running",
        input: source.input,
        parent: { runId, step: opts.step },
      });
      if (!created)
        throw new BatonError("RUN_STATE", `A run with id "${newId}" exists already`, { runId: newId });
      // Undefined values stay out: JSON stores cannot tell them from null, and absent means initial.
      const seedWrites = Object.entries(state).filter(([, v]) => v !== undefined);
      const pos = await seed(newId, seedWrites, "__fork__", "set", checkpoint);
      return execute(newId, pos, { ...opts, resumed: false });
    },
    async cancel(runId, opts = {}) {
      const reason = new CancelReason(opts.compensate ?? false);
      const local = activeRun(runId);
      if (local) return local.abort(reason);
      const run = await requireRun(runId);
      const here = run.status === "interrupted" || run.status === "pending";
      if (here || (opts.takeOver && (run.status === "running" || run.status === "compensating"))) {
        const pos = await loadPosition(engine, store!, run);
        const aborted = new AbortController();
        aborted.abort(reason);
        await execute(runId, pos, { signal: aborted.signal, resumed: true });
        return;
      }
      if (run.status === "running" || run.status === "compensating")
        await store!.updateRun(runId, { cancelRequested: { compensate: reason.compensate } });
    },
    toMermaid: () => toMermaid(spec),
  });
}

/**
 * Another process may ask to cancel a run through the store; look twice a second. The timer keeps the
 * process alive while the run executes: a node waiting only on its signal is still work in progress.
 */
function pollCancel(
  store: Store,
  runId: string,
  controller: AbortController,
): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    store.getRun(runId).then(
      (run) => {
        if (run?.cancelRequested) controller.abort(new CancelReason(run.cancelRequested.compensate));
      },
      () => undefined,
    );
  }, 500);
  return timer;
}
