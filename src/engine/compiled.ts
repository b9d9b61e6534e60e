import { BatonError, coerceError, type ErrorCode, type ErrorInfo, errorInfo } from "../errors.js";
import { structureHash } from "../graph/hash.js";
import { toMermaid } from "../graph/mermaid.js";
import {
  type ChannelMap,
  initialState,
  type StateDefinition,
  type StateOf,
  type UpdateOf,
} from "../graph/state.js";
import type { GraphSpec, RetryPolicy } from "../graph/types.js";
import { activeRun, registerActive } from "./active-runs.js";
import { breakpointsOf } from "./breakpoints.js";
import { type ChildGraph, type ChildStart, childNotice } from "./child-runs.js";
import { answersFor, checkSameWorkflow, forkRefused, undoneBefore } from "./control-checks.js";
import { defaultStore } from "./default-store.js";
import { childGraphOf, registerEngine } from "./engine-registry.js";
import { eventStream } from "./event-stream.js";
import { type EventListener, type RunEvent, safeEmitter } from "./events.js";
import {
  type Actor,
  APP_ACTOR,
  type HistoryEvent,
  type HistoryPage,
  type NewHistoryEvent,
  type RunHistoryEntry,
} from "./history.js";
import { holdRun, waitsForTime } from "./hold.js";
import { validateInput } from "./input.js";
import { drive, type Engine, type Position, type RunOutcome } from "./loop.js";
import { DEFAULT_LEASE_MS, newOwnerId, RunBusyError, type Taken, takeRun, tookOver } from "./ownership.js";
import { deliverResume, loadPosition, type Seed, seedOf } from "./position.js";
import { recordOutcome } from "./record-outcome.js";
import {
  type InterruptInfo,
  isChildRun,
  type NewRun,
  type RunLink,
  type RunOwner,
  type RunRecord,
  type RunStatus,
  stopsRun,
  type TaskSpec,
  TERMINAL_STATUSES,
} from "./records.js";
import { isFinished, lastCheckpoint, stateAt, tasksByStep } from "./replay.js";
import { nextTasks, routingTable } from "./routing.js";
import { readHistory } from "./run-history.js";
import { watchRun } from "./run-watch.js";
import { compensate } from "./saga.js";
import { type SignalOptions, signalRun } from "./signal-run.js";
import { CancelReason, StopReason } from "./signals.js";
import type { StepRunner } from "./step-runner.js";
import { type Store, writeInOrder } from "./store.js";
import { bindSubgraphs } from "./subgraph.js";
import { findWorkflow, registerWorkflow } from "./workflow-registry.js";
import { applyWrites, type Write } from "./writes.js";

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
  /** Static breakpoints: pause before a step running any of these nodes (`resume` continues past). */
  interruptBefore?: readonly string[];
  /** Pause after a step that ran any of these nodes. */
  interruptAfter?: readonly string[];
}

export interface RunOptions {
  /** An id you choose; starting the same id twice returns the same run. */
  runId?: string;
  signal?: AbortSignal;
  onEvent?: EventListener;
  queue?: string;
  /** Who starts the run, for its history (default: the application). */
  actor?: Actor;
  /** How long this process's hold on the run lasts unless renewed (default 30 s, `BATON_LEASE_MS`). */
  leaseMs?: number;
  /**
   * Start the run at this time instead of now (a `Date` or epoch ms, in the future): it is stored
   * as `pending` and a runner (`baton worker`, `baton serve`, or this call, see `hold`) starts it then.
   */
  startAt?: Date | number;
  /**
   * When the run sleeps, waits for an event or starts later, keep waiting for it here (and drive
   * it when it is due) if that comes within this many ms; past that the call returns the run as it
   * stands (`sleeping`, `waiting`, `pending`) for a runner to continue. Default 60 s (`Infinity`
   * for an in-memory store, which no other process can reach); 0 returns at once.
   */
  hold?: number;
  /** This run's breakpoints, instead of the graph's (see `CompileOptions.interruptBefore`). */
  interruptBefore?: readonly string[];
  interruptAfter?: readonly string[];
  /**
   * Continue a thread (a conversation): the run starts from the state the thread's last run had at
   * its last checkpoint, with `input` applied through the reducers. Whatever that run left pending
   * (paused, failed) stays with it; the new run starts from START.
   */
  threadId?: string;
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
  /** Who resumes the run, for its history (default: the application). */
  actor?: Actor;
  /**
   * The caller already holds the run's lease under this owner id and keeps it alive (a `baton
   * worker` that claimed the run): the engine neither takes, renews nor releases it.
   */
  ownedBy?: string;
  /**
   * The caller took the run's lease for this resume (see `recoverRuns`): the engine renews and
   * releases it as its own, and records the takeover.
   */
  adopt?: { owner: RunOwner; previous?: RunOwner };
  leaseMs?: number;
  /** As for `run`: keep waiting here for a run that sleeps or waits again (default 60 s). */
  hold?: number;
  /** Breakpoints for the rest of the run, instead of the graph's. */
  interruptBefore?: readonly string[];
  interruptAfter?: readonly string[];
  /**
   * Change the state before continuing (a run paused at a breakpoint): applied through the
   * reducers as a step of its own, recorded in the run's history.
   */
  update?: Record<string, unknown>;
}

export interface UpdateStateOptions {
  /** Apply the update as if this node wrote it: the run continues from that node's edges when resumed. */
  asNode?: string;
  /** Who edits, for the run's history (default: the application). */
  actor?: Actor;
}

export interface CancelOptions {
  /** Undo the run's completed steps. */
  compensate?: boolean;
  /** The caller holds the run's lease under this owner id (a worker that claimed it): cancel it here. */
  ownedBy?: string;
  actor?: Actor;
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
  /**
   * Continue a paused (or crashed) run; `value` is what the pending `interrupt()` returns (with
   * several tasks waiting, `{ [taskId]: value }` answers each separately). Refused with `RUN_BUSY`
   * while another live process drives the run; a run whose owner is gone is taken over.
   */
  resume(runId: string, value?: unknown, options?: ResumeOptions): Promise<RunResult<StateOf<C>>>;
  /** Run a failed or cancelled run again from its last checkpoint; its history is kept. */
  retry(runId: string, options?: Omit<ResumeOptions, "retry">): Promise<RunResult<StateOf<C>>>;
  /** A run's state, or (`{ threadId }`) that of the thread's last run. */
  getState(runId: string | { threadId: string }): Promise<RunSnapshot<StateOf<C>>>;
  history(runId: string): Promise<HistoryEntry<StateOf<C>>[]>;
  /** Everything that happened to the run, in the order it was recorded (append-only). */
  events(runId: string, page?: HistoryPage): Promise<HistoryEvent[]>;
  /**
   * Start a new run from a checkpoint of an old one, with `update` applied to its state. Refused
   * when steps completed by then were undone since (unless `force`).
   */
  fork(
    runId: string,
    options: { step: number; update?: UpdateOf<C>; runId?: string } & ResumeOptions,
  ): Promise<RunResult<StateOf<C>>>;
  /**
   * Abort a run through its nodes' signals; optionally undo its completed steps. A run executing in
   * another live process is asked through the store; one whose owner is gone is cancelled here.
   */
  cancel(runId: string, options?: CancelOptions): Promise<void>;
  /**
   * Send the named event to a run (see `ctx.waitForEvent`): kept until a wait of that name takes
   * it. Refused for an unknown or finished run, and for a payload the waiting node's schema rejects.
   */
  signal(runId: string, name: string, payload?: unknown, options?: SignalOptions): Promise<void>;
  /**
   * Edit a paused, failed or finished run's state through the reducers, as a step of its own (in
   * its history with who and when). With `asNode`, as if that node had written it: the run pauses
   * after it and `resume` continues from its edges. Refused while a live process drives the run,
   * for keys the state does not have, and while tasks of the run's next step are under way.
   */
  updateState(
    runId: string,
    update: UpdateOf<C>,
    options?: UpdateStateOptions,
  ): Promise<RunSnapshot<StateOf<C>>>;
  toMermaid(): string;
}

/** A run that did not complete; `code` is the run's own error code (`STEP_LIMIT`, `NODE_FAILED`…). */
export class RunFailedError extends BatonError {
  readonly result: RunResult<unknown>;
  constructor(result: RunResult<unknown>) {
    const why = result.error ? `: ${result.error.message}` : "";
    const code = (result.error?.code ?? "NODE_FAILED") as ErrorCode;
    super(code, `Run ${result.runId} ended ${result.status}${why}`, { runId: result.runId });
    this.result = result;
  }
}

export function createCompiledGraph<C extends ChannelMap>(
  definition: StateDefinition<C>,
  given: GraphSpec,
  options: CompileOptions,
): CompiledGraph<C> {
  type S = StateOf<C>;
  const hash = structureHash(given);
  const store = options.store === false ? undefined : (options.store ?? defaultStore());
  if (options.store === undefined && !store) {
    throw new BatonError(
      "STORE",
      'No default store is registered; pass compile({ store }) or import from "baton"',
    );
  }
  // Subgraph nodes run their graph as child runs in this graph's store.
  const spec = bindSubgraphs(given, store, () => engine.name);
  breakpointsOf(spec, {}, options, "compile");
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
  const log = (runId: string, ...entries: RunHistoryEntry[]): NewHistoryEvent[] =>
    entries.map((e) => ({ ...e, runId, at: engine.now() }) as NewHistoryEvent);

  /** Drive a run to where it stops, record how it ended, and report it. */
  async function execute(
    runId: string,
    pos: Position | Error,
    opts: RunOptions & {
      resumed: boolean;
      stepRunner?: StepRunner;
      lease?: Lease;
      notify?: RunLink;
      childHold?: number;
    },
  ): Promise<RunResult<S>> {
    const started = engine.now();
    const emit = safeEmitter(opts.onEvent ? [opts.onEvent] : []);
    const controller = new AbortController();
    const unregister = registerActive(runId, controller);
    const forward = () => {
      const reason = opts.signal?.reason;
      controller.abort(
        reason instanceof CancelReason || reason instanceof StopReason ? reason : new CancelReason(false),
      );
    };
    opts.signal?.addEventListener("abort", forward, { once: true });
    if (opts.signal?.aborted) forward();
    const watch = store
      ? watchRun(store, runId, controller, opts.lease?.renew ? opts.lease : undefined)
      : undefined;
    emit?.({ type: "run_started", runId, at: started, graph: engine.name, resumed: opts.resumed });
    let outcome: RunOutcome;
    try {
      if (pos instanceof Error) throw pos;
      pos.childHold = opts.childHold ?? holdMsOf(opts);
      // A child run is leased as long as its parent (a worker's `--lease-ms`).
      if (opts.lease) pos.childLeaseMs = opts.lease.leaseMs;
      outcome = await drive(engine, store, runId, pos, emit, controller.signal, opts.stepRunner);
    } catch (error) {
      outcome = {
        status: "failed",
        state: pos instanceof Error ? (initialState(definition) as S) : pos.state,
        error: errorInfo(error),
        steps: pos instanceof Error ? 0 : pos.step,
      };
    } finally {
      watch?.stop();
      opts.signal?.removeEventListener("abort", forward);
      unregister();
    }
    if (store) await settleOwnership(store, runId, outcome, opts.lease, watch?.lost ?? false, emit);
    // A child run ended (or stopped for an answer) with nobody of its parent's waiting here: tell the parent.
    if (
      store &&
      opts.notify &&
      !outcome.stopped &&
      (TERMINAL_STATUSES.has(outcome.status) || outcome.status === "interrupted")
    )
      await store
        .sendEvent({
          runId: opts.notify.runId,
          name: childNotice(runId),
          payload: { status: outcome.status },
        })
        .catch(() => undefined); // the parent ended already; or, at worst, it looks again in a while
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

  /**
   * Record how the run ended with its history entry (a stopping status ends the lease in the same
   * write); a run stopped by its owner keeps its status and its lease is let go, unless it was lost.
   */
  async function settleOwnership(
    s: Store,
    runId: string,
    outcome: RunOutcome,
    lease: Lease | undefined,
    lost: boolean,
    emit: EventListener | undefined,
  ): Promise<void> {
    // How it ended is the run row's to say while it stays so (see `readHistory`): no extra row.
    if (!outcome.stopped) return recordOutcome(s, runId, outcome, emit, engine.now);
    const why = outcome.stopped.why;
    if (lost) {
      await s.appendHistory(log(runId, { type: "owner_lost", owner: lease?.ownerId ?? "?" }));
      return;
    }
    await writeInOrder(
      s,
      (st) => st.appendHistory(log(runId, { type: "stopped", by: lease?.actor ?? APP_ACTOR, reason: why })),
      (st) => (lease?.renew ? st.releaseRun(lease.ownerId, runId).then(() => undefined) : Promise.resolve()),
    );
  }

  /** How long a call keeps waiting in this process for a run that sleeps, waits or starts later. */
  const holdMsOf = (opts: { hold?: number }) =>
    opts.hold ?? (store?.local ? Number.POSITIVE_INFINITY : DEFAULT_HOLD_MS);

  /** Wait here for the run while it sleeps or waits, as `holdRun` says; `result` is where it stopped. */
  function hold(result: RunResult<S>, opts: RunOptions | ResumeOptions): Promise<RunResult<S>> {
    if (!store || !waitsForTime(result.status)) return Promise.resolve(result);
    const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    return holdRun(result, {
      store,
      runId: result.runId,
      holdMs: holdMsOf(opts),
      leaseMs,
      signal: opts.signal,
      // The caller's hold covers the children the run starts too (see `Position.childHold`).
      drive: (adopt) =>
        resumeOnce(result.runId, undefined, { ...opts, adopt, hold: 0, childHold: holdMsOf(opts) }),
      current: (run) => resultOf(run),
    });
  }

  async function start(input: UpdateOf<C>, opts: RunOptions = {}, child?: ChildStart): Promise<RunResult<S>> {
    const given = validateInput(definition, input);
    const breaks = breakpointsOf(spec, opts, options, "call");
    const runId = opts.runId ?? globalThis.crypto.randomUUID();
    const thread = opts.threadId === undefined ? undefined : await threadStart(opts.threadId, given);
    const seeded = seedOrError(() =>
      thread
        ? seedOf(engine, runId, thread, { taskId: "__input__", mode: "set" })
        : seedOf(engine, runId, given, { taskId: "__input__" }),
    );
    if (breaks && !(seeded instanceof Error)) seeded.position.breaks = breaks;
    if (opts.startAt !== undefined && !(seeded instanceof Error))
      return startLater(input, runId, seeded, opts);
    // Without a store there is nothing to own: no lease, no owner id.
    const lease = store ? newLease(opts) : undefined;
    if (store && lease) {
      // The run (its row is its history's first entry), its lease and step 0: one commit.
      const { run, created: isNew } = await store.createRun({
        id: runId,
        graph: engine.name,
        graphHash: hash,
        status: "running",
        input,
        ...(opts.queue ? { queue: opts.queue } : {}),
        owner: { id: lease.ownerId, leaseMs: lease.leaseMs },
        createdBy: lease.actor,
        ...(opts.threadId !== undefined ? { thread: opts.threadId } : {}),
        ...(child ? { parent: child.link } : {}),
        ...firstRecords(seeded),
      });
      if (!isNew) {
        checkSameWorkflow(run, engine.name);
        return resultOf(run);
      }
      await child?.onCreated();
    }
    const pos = seeded instanceof Error ? seeded : seeded.position;
    return hold(await execute(runId, pos, { ...opts, resumed: false, ...(lease ? { lease } : {}) }), opts);
  }

  /** A run that starts at `startAt`: stored `pending` with its step 0, owned by nobody until then. */
  async function startLater(
    input: UpdateOf<C>,
    runId: string,
    seeded: Seed,
    opts: RunOptions,
  ): Promise<RunResult<S>> {
    const s = requireStore("Starting a run later");
    const at = startTime(opts.startAt!, engine.now());
    const { run, created } = await s.createRun({
      id: runId,
      graph: engine.name,
      graphHash: hash,
      status: "pending",
      input,
      wakeAt: at,
      ...(opts.queue ? { queue: opts.queue } : {}),
      ...(opts.threadId !== undefined ? { thread: opts.threadId } : {}),
      createdBy: opts.actor ?? APP_ACTOR,
      ...firstRecords(seeded),
    });
    if (!created) checkSameWorkflow(run, engine.name);
    return hold(await resultOf(run), opts);
  }

  /** What START triggers may throw (a router's error, an unknown target): the run fails with it. */
  function seedOrError(seeding: () => Seed): Seed | Error {
    try {
      return seeding();
    } catch (error) {
      return coerceError(error);
    }
  }

  /** A new run's first records: step 0, when it could be seeded. */
  function firstRecords(seeded: Seed | Error): Pick<NewRun, "first"> {
    return seeded instanceof Error ? {} : { first: { task: seeded.record, checkpoint: seeded.checkpoint } };
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

  /**
   * A thread's next run starts from its last run's state (at that run's last checkpoint) with the
   * new input applied through the reducers: the seed writes, as a fork's (`set`). A new thread
   * starts from the input alone (undefined).
   */
  async function threadStart(threadId: string, given: readonly Write[]): Promise<Write[] | undefined> {
    if (typeof threadId !== "string" || threadId.trim() === "")
      throw new BatonError("INPUT_INVALID", "threadId must be a non-empty string");
    const [last] = await requireStore("A thread").listRuns({ thread: threadId, limit: 1 });
    if (!last) return undefined;
    if (last.graph !== engine.name)
      throw new BatonError(
        "RUN_CONFLICT",
        `Thread "${threadId}" belongs to workflow "${last.graph}", not "${engine.name}"; use another thread id`,
        { runId: last.id },
      );
    const state = (await getState(last.id)).state as Record<string, unknown>;
    applyWrites(definition.channels, state, [{ taskId: "__input__", node: "__input__", writes: given }], 0);
    // Undefined values stay out: JSON stores cannot tell them from null, and absent means initial.
    return Object.entries(state).filter(([, v]) => v !== undefined);
  }

  async function getState(which: string | { threadId: string }): Promise<RunSnapshot<S>> {
    let runId: string;
    if (typeof which === "string") runId = which;
    else {
      const [last] = await requireStore("Reading a thread").listRuns({ thread: which.threadId, limit: 1 });
      if (!last) throw new BatonError("RUN_NOT_FOUND", `No run on thread "${which.threadId}"`);
      runId = last.id;
    }
    const run = await requireRun(runId);
    const [checkpoints, records] = await Promise.all([
      store!.listCheckpoints(runId),
      store!.listTasks(runId),
    ]);
    const last = lastCheckpoint(checkpoints);
    const state = stateAt(definition, tasksByStep(records), last?.step ?? 0) as S;
    return { run, state, next: last?.next ?? [] };
  }

  /** This process's hold on a run: a fresh owner id, renewed here, or the caller's (a worker's). */
  function newLease(opts: {
    ownedBy?: string;
    adopt?: { owner: RunOwner };
    leaseMs?: number;
    actor?: Actor;
  }): Lease {
    return {
      ownerId: opts.ownedBy ?? opts.adopt?.owner.id ?? newOwnerId(),
      leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
      renew: opts.ownedBy === undefined,
      actor: opts.actor ?? APP_ACTOR,
    };
  }

  /** Take the run for this process (unless the caller holds it); the history entry it brings. */
  async function own(
    runId: string,
    lease: Lease,
    adopted?: { owner: RunOwner; previous?: RunOwner },
  ): Promise<RunHistoryEntry[]> {
    if (!lease.renew) return [];
    const taken: Taken = adopted
      ? tookOver(adopted.owner, adopted.previous, engine.now())
      : await takeRun(store!, runId, { id: lease.ownerId, leaseMs: lease.leaseMs });
    return [
      {
        type: "owner_taken",
        owner: taken.owner,
        ...(taken.previous ? { previous: taken.previous } : {}),
        ...(taken.why ? { why: taken.why } : {}),
      },
    ];
  }

  async function resume(runId: string, value?: unknown, opts: ResumeOptions = {}): Promise<RunResult<S>> {
    return hold(await resumeOnce(runId, value, opts), opts);
  }

  /** `byParent`: the child's parent task drives it and waits here, so its end sends no notice. */
  async function resumeOnce(
    runId: string,
    value?: unknown,
    opts: ResumeOptions & { childHold?: number } = {},
    byParent = false,
  ): Promise<RunResult<S>> {
    const run = await requireRun(runId);
    if (activeRun(runId)) {
      throw new BatonError("RUN_BUSY", `Run ${runId} is being driven by this process already`, { runId });
    }
    checkSameWorkflow(run, engine.name);
    if (run.graphHash !== hash && !opts.force) {
      throw new BatonError(
        "GRAPH_CHANGED",
        `Run ${runId} was started by a graph of a different structure (${run.graphHash}, now ${hash}); resume with force to run it anyway`,
        { runId },
      );
    }
    const retrying = opts.retry === true && (run.status === "failed" || run.status === "cancelled");
    if (!retrying && !RESUMABLE.has(run.status)) {
      throw new BatonError(
        "RUN_STATE",
        `Run ${runId} is ${run.status}; only interrupted, sleeping, waiting, pending or crashed runs can be resumed (failed or cancelled ones can be retried)`,
        { runId },
      );
    }
    // Everything that can refuse comes first: the answers, the breakpoints, the update, then the lease.
    const answers = run.status === "interrupted" ? answersFor(run, value) : new Map<string, unknown>();
    const breaks = breakpointsOf(spec, opts, options, "call");
    const edit = opts.update ? validateInput(definition, opts.update) : undefined;
    const lease = newLease(opts);
    const taken = await own(runId, lease, opts.adopt);
    let pos: Position;
    try {
      if (edit) await writeEdit(run, edit, opts.update!, undefined, lease.actor);
      pos = await loadPosition(engine, store!, run);
    } catch (error) {
      if (lease.renew) await store!.releaseRun(lease.ownerId, runId);
      throw error;
    }
    // A run paused before a step continues past that breakpoint, and stops at the next ones.
    const pausedBefore = run.interrupts?.some((i) => i.breakpoint === "before" && i.step === pos.step + 1);
    if (breaks) pos.breaks = pausedBefore ? { ...breaks, passBefore: pos.step + 1 } : breaks;
    // A stored failure is final (a crashed run does not get its attempts back); a retry runs it afresh.
    if (retrying) for (const [id, r] of pos.pending ?? []) if (r.status === "failed") pos.pending!.delete(id);
    const by = lease.actor;
    const waitedFrom = run.updatedAt;
    const answered = (run.interrupts ?? [])
      .filter((i) => answers.has(i.taskId))
      .map(
        (i): RunHistoryEntry => ({
          type: "interrupt_answered",
          step: i.step,
          taskId: i.taskId,
          node: i.node,
          value: answers.get(i.taskId),
          by,
          waitedMs: Math.max(0, engine.now() - waitedFrom),
        }),
      );
    const why = wakeReason(run, engine.now());
    const action: RunHistoryEntry = retrying
      ? { type: "retried", by, ...(opts.force ? { force: true as const } : {}) }
      : why
        ? { type: "woke", by, why }
        : { type: "resumed", by, ...(opts.force ? { force: true as const } : {}) };
    // One tick: the answers, the status and the history share a commit where the store allows.
    await Promise.all([
      ...deliverResume(store!, pos, answers),
      store!.updateRun(runId, {
        status: pos.compensating ? "compensating" : "running",
        ...(opts.force ? { graphHash: hash } : {}),
        clear: retrying ? ["interrupts", "waits", "wakeAt", "error"] : ["interrupts", "waits", "wakeAt"],
      }),
      store!.appendHistory([...endingOf(run), ...log(runId, ...taken, action, ...answered)]),
    ]);
    const notify = !byParent && isChildRun(run) ? run.parent : undefined;
    return execute(runId, pos, { ...opts, resumed: true, lease, ...(notify ? { notify } : {}) });
  }

  /**
   * A stopped run's ending (interrupted, failed…) lives in its row until a control operation moves
   * it on; that operation records the ending as an entry first, at the time it happened.
   */
  function endingOf(run: RunRecord): NewHistoryEvent[] {
    if (!stopsRun(run.status)) return [];
    const ending: NewHistoryEvent = {
      runId: run.id,
      at: run.updatedAt,
      type: "run_finished",
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
    };
    return [ending];
  }

  /**
   * Store an edit of the run's state as a step of its own after its last checkpoint: a record of the
   * update (applied through the reducers) and a checkpoint naming what runs next, in one commit. With
   * `asNode`, what runs next follows that node's edges; otherwise it is what was next before.
   */
  async function writeEdit(
    run: RunRecord,
    writes: readonly Write[],
    update: unknown,
    asNode: string | undefined,
    by: Actor,
  ): Promise<number> {
    const s = store!;
    const [checkpoints, records] = await Promise.all([s.listCheckpoints(run.id), s.listTasks(run.id)]);
    const last = lastCheckpoint(checkpoints);
    if (!last)
      throw new BatonError("RUN_STATE", `Run ${run.id} has no checkpoint to edit yet`, { runId: run.id });
    const underway = records.filter((r) => r.step === last.step + 1 && r.status !== "failed");
    if (underway.length > 0)
      throw new BatonError(
        "RUN_STATE",
        `Run ${run.id} has tasks of step ${last.step + 1} under way or waiting (${underway.map((r) => r.taskId).join(", ")}); answer or finish them before editing its state`,
        { runId: run.id },
      );
    const step = last.step + 1;
    const now = engine.now();
    const record = {
      runId: run.id,
      step,
      taskId: "__update__",
      node: "__update__",
      status: "succeeded" as const,
      attempts: 1,
      writes,
      seq: 0,
      startedAt: now,
      finishedAt: now,
    };
    const state = stateAt(definition, tasksByStep(records), last.step);
    applyWrites(definition.channels, state, [record], step);
    const routed = asNode
      ? nextTasks(engine.table, [{ node: asNode }], state, last.joins)
      : { next: last.next, joins: last.joins };
    const entry: RunHistoryEntry = { type: "state_updated", by, step, update, ...(asNode ? { asNode } : {}) };
    await writeInOrder(
      s,
      (st) => st.putTask(record, log(run.id, entry)),
      (st) =>
        st.putCheckpoint({ runId: run.id, step, next: routed.next, joins: routed.joins, createdAt: now }),
    );
    return step;
  }

  async function updateState(
    runId: string,
    update: UpdateOf<C>,
    opts: UpdateStateOptions = {},
  ): Promise<RunSnapshot<S>> {
    const run = await requireRun(runId);
    checkSameWorkflow(run, engine.name);
    if (opts.asNode !== undefined && !spec.nodes.has(opts.asNode))
      throw new BatonError(
        "INPUT_INVALID",
        `updateState asNode names unknown node "${opts.asNode}" (known: ${[...spec.nodes.keys()].join(", ")})`,
        { runId },
      );
    if (activeRun(runId) || !EDITABLE.has(run.status)) {
      if (run.owner && run.owner.expiresAt > engine.now()) throw new RunBusyError(runId, run.owner);
      throw new BatonError(
        "RUN_STATE",
        `Run ${runId} is ${run.status}; only interrupted, failed, cancelled or completed runs can be edited`,
        { runId },
      );
    }
    const writes = validateInput(definition, update);
    const lease = newLease({ ...(opts.actor ? { actor: opts.actor } : {}) });
    await own(runId, lease);
    try {
      const step = await writeEdit(run, writes, update, opts.asNode, lease.actor);
      // After an edit as a node, the run waits for `resume`, as after a breakpoint.
      if (opts.asNode) {
        const paused: InterruptInfo = {
          taskId: opts.asNode,
          node: opts.asNode,
          step,
          payload: { breakpoint: "after", node: opts.asNode },
          breakpoint: "after",
        };
        await store!.updateRun(runId, {
          status: "interrupted",
          interrupts: [paused],
          clear: ["error", "waits", "wakeAt"],
        });
      }
    } finally {
      await store!.releaseRun(lease.ownerId, runId);
    }
    return getState(runId);
  }

  /**
   * Cancel the run's unfinished children (a run cancelled while it waited for them): each through
   * its own workflow, or, one this process does not know, by asking whoever drives it.
   */
  async function cancelChildren(runId: string, compensate: boolean, by: Actor): Promise<void> {
    const children = (await store!.listRuns({ parent: runId })).filter(
      (r) => isChildRun(r) && !TERMINAL_STATUSES.has(r.status),
    );
    for (const c of children) {
      const found = await findWorkflow(store!, c.graph);
      const graph = found ? childGraphOf(found) : undefined;
      if (graph) await graph.cancel(c.id, { compensate, actor: by });
      else await store!.updateRun(c.id, { cancelRequested: { compensate } });
    }
  }

  /**
   * Undo a completed child run's steps (its parent compensates the node that ran it): in reverse
   * order, each recorded, so a crash or a retry never repeats an undo that finished.
   */
  async function compensateChild(runId: string, signal: AbortSignal): Promise<void> {
    const s = requireStore("Undoing a subgraph's steps");
    const run = await s.getRun(runId);
    // A child that failed undid its own steps; one compensated already has nothing left to undo.
    if (!run || (run.status !== "completed" && run.status !== "compensation_failed")) return;
    // Where the run stands says what it can undo and its final state, as for any run that compensates.
    const { undoable, state } = await loadPosition(engine, s, run);
    const result = await compensate(engine, s, runId, undoable, state, undefined, signal);
    if (result.status === "stopped")
      throw new BatonError("RUN_STATE", `Undoing the steps of run ${runId} was stopped`, { runId });
    const { status, error } = result;
    // Its ending so far, then the new one: one commit where the store allows.
    await writeInOrder(
      s,
      (st) => st.appendHistory(endingOf(run)),
      (st) => st.updateRun(runId, { status, ...(error ? { error } : {}) }),
    );
    if (error) throw new BatonError("COMPENSATION_FAILED", error.message, { runId });
  }

  const rebound = new Map<Store | undefined, Map<string, ChildGraph>>();
  const child: ChildGraph = {
    get name() {
      return engine.name;
    },
    get graph() {
      return api;
    },
    store,
    start: (input, c) =>
      start(
        input as UpdateOf<C>,
        {
          runId: c.runId,
          signal: c.signal,
          hold: c.hold,
          actor: { via: "parent", who: c.link.runId },
          ...(c.leaseMs !== undefined ? { leaseMs: c.leaseMs } : {}),
        },
        c,
      ),
    resume: async (runId, value, opts) => hold(await resumeOnce(runId, value, opts, true), opts),
    cancel: (runId, opts) => api.cancel(runId, opts),
    result: (run) => resultOf(run),
    compensate: compensateChild,
    boundTo(s, name) {
      const as = name ?? engine.name;
      if (s === store && as === engine.name) return child;
      const byName = rebound.get(s) ?? new Map<string, ChildGraph>();
      rebound.set(s, byName);
      let bound = byName.get(as);
      if (!bound) {
        const { interruptBefore: _b, interruptAfter: _a, ...rest } = options;
        const copy = createCompiledGraph(definition, given, { ...rest, store: s ?? false, name: as });
        bound = childGraphOf(copy)!;
        byName.set(as, bound);
      }
      return bound;
    },
  };

  const api: CompiledGraph<C> = registerEngine<CompiledGraph<C>>(engine, child, {
    name: engine.name,
    hash,
    spec,
    definition,
    store,
    run: start,
    async invoke(input, opts) {
      const result = await start(input, opts);
      if (result.status !== "completed" && result.status !== "interrupted" && !waitsForTime(result.status))
        throw new RunFailedError(result);
      return result.state;
    },
    stream(input, opts = {}) {
      return eventStream((onEvent) => start(input, { ...opts, onEvent }));
    },
    resume,
    retry: (runId, opts = {}) => resume(runId, undefined, { ...opts, retry: true }),
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
    async events(runId, page) {
      return readHistory(store!, await requireRun(runId), page);
    },
    async fork(runId, opts) {
      const source = await requireRun(runId);
      checkSameWorkflow(source, engine.name);
      const checkpoint = (await store!.listCheckpoints(runId)).find((c) => c.step === opts.step);
      if (!checkpoint)
        throw new BatonError("RUN_STATE", `Run ${runId} has no checkpoint at step ${opts.step}`, { runId });
      const undone = undoneBefore(opts.step, await store!.listCompensations(runId));
      if (undone.length > 0 && !opts.force) throw forkRefused(runId, opts.step, undone);
      const state = stateAt(definition, tasksByStep(await store!.listTasks(runId)), opts.step);
      if (opts.update)
        applyWrites(
          definition.channels,
          state,
          [{ taskId: "__edit__", node: "__edit__", writes: validateInput(definition, opts.update) }],
          opts.step,
        );
      const newId = opts.runId ?? globalThis.crypto.randomUUID();
      const lease = newLease(opts);
      const by = lease.actor;
      // Undefined values stay out: JSON stores cannot tell them from null, and absent means initial.
      const seedWrites = Object.entries(state).filter(([, v]) => v !== undefined);
      const from = { next: checkpoint.next, joins: checkpoint.joins };
      const seeded = seedOrError(() =>
        seedOf(engine, newId, seedWrites, { taskId: "__fork__", mode: "set", ...from }),
      );
      const { created } = await store!.createRun({
        id: newId,
        graph: engine.name,
        graphHash: hash,
        status: "running",
        input: source.input,
        parent: { runId, step: opts.step },
        owner: { id: lease.ownerId, leaseMs: lease.leaseMs },
        createdBy: by,
        ...firstRecords(seeded),
      });
      if (!created)
        throw new BatonError("RUN_STATE", `A run with id "${newId}" exists already`, { runId: newId });
      await store!.appendHistory(log(runId, { type: "forked", by, step: opts.step, toRunId: newId }));
      const pos = seeded instanceof Error ? seeded : seeded.position;
      return hold(await execute(newId, pos, { ...opts, resumed: false, lease }), opts);
    },
    async cancel(runId, opts = {}) {
      const reason = new CancelReason(opts.compensate ?? false);
      const by = opts.actor ?? APP_ACTOR;
      const asked = (id: string) => log(id, { type: "cancel_requested", by, compensate: reason.compensate });
      const local = activeRun(runId);
      if (local) {
        await store?.appendHistory(asked(runId));
        return local.abort(reason);
      }
      const run = await requireRun(runId);
      if (TERMINAL_STATUSES.has(run.status)) return;
      const lease = newLease({ ...opts, actor: by });
      let taken: RunHistoryEntry[];
      try {
        taken = await own(runId, lease);
      } catch (error) {
        if (!(error instanceof RunBusyError)) throw error;
        // A live owner elsewhere carries the cancel out at its next look at the store.
        await Promise.all([
          store!.updateRun(runId, { cancelRequested: { compensate: reason.compensate } }),
          store!.appendHistory(asked(runId)),
        ]);
        return;
      }
      const pos = await loadPosition(engine, store!, run);
      await store!.appendHistory([...endingOf(run), ...log(runId, ...taken), ...asked(runId)]);
      const aborted = new AbortController();
      aborted.abort(reason);
      await execute(runId, pos, { signal: aborted.signal, resumed: true, lease });
      await cancelChildren(runId, reason.compensate, by);
    },
    updateState,
    async signal(runId, name, payload, opts) {
      const run = await requireRun(runId);
      checkSameWorkflow(run, engine.name);
      await signalRun(store!, runId, name, payload, opts);
    },
    toMermaid: () => toMermaid(spec),
  });
  if (store && options.name) registerWorkflow(store, options.name, api);
  return api;
}

/** Runs whose state `updateState` may edit: stopped, with nothing under way. */
const EDITABLE: ReadonlySet<RunStatus> = new Set(["interrupted", "failed", "cancelled", "completed"]);

/** How long a call waits in-process for a run that sleeps or waits, unless told (`hold`). */
const DEFAULT_HOLD_MS = 60_000;

/** Statuses `resume` takes up without `retry`: paused, waiting, or left by an owner that is gone. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set([
  "interrupted",
  "sleeping",
  "waiting",
  "running",
  "compensating",
  "pending",
]);

/** Why a run waiting for a time or an event is driven again now; undefined for any other resume. */
function wakeReason(run: RunRecord, now: number): "time" | "event" | "start" | undefined {
  if (run.status === "pending") return run.wakeAt === undefined ? undefined : "start";
  if (run.status === "sleeping") return "time";
  if (run.status === "waiting") return run.wakeAt !== undefined && run.wakeAt <= now ? "time" : "event";
  return undefined;
}

/** A `startAt`: a valid time, later than now. */
function startTime(at: Date | number, now: number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  if (!Number.isFinite(ms))
    throw new BatonError("INPUT_INVALID", `startAt must be a valid time, not ${String(at)}`);
  if (ms <= now)
    throw new BatonError(
      "INPUT_INVALID",
      `startAt ${new Date(ms).toISOString()} is not in the future (now ${new Date(now).toISOString()}); start the run now instead`,
    );
  return ms;
}

/** The lease a process holds while it drives a run; `renew: false` when its caller keeps it (a worker). */
interface Lease {
  readonly ownerId: string;
  readonly leaseMs: number;
  readonly renew: boolean;
  readonly actor: Actor;
}
