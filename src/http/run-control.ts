import type { RunResult } from "../engine/compiled.js";
import type { EventListener, RunEvent } from "../engine/events.js";
import type { Actor } from "../engine/history.js";
import { type RunRecord, TERMINAL_STATUSES } from "../engine/records.js";
import { recoverRuns } from "../engine/recover.js";
import { signalRun } from "../engine/signal-run.js";
import type { Store } from "../engine/store.js";
import { crashOf } from "../stores/liveness.js";
import type { AnyCompiledGraph } from "../workflows/types.js";
import type { RunAccepted } from "./api-types.js";
import { badRequest, conflict, HttpError, notFound } from "./errors.js";
import type { EventHub } from "./event-hub.js";
import type { WorkflowSource } from "./workflows.js";

type Go = (onEvent: EventListener) => Promise<RunResult<unknown>>;

/** Who acts through the API, for the run's history: the `by` a caller gives, if any. */
const apiActor = (by: string | undefined): Actor => ({ via: "api", ...(by ? { who: by } : {}) });

const CANCEL_WAIT_MS = 5_000;

/** Wait for `promise`, but no longer than `ms`; its failure is the run's business, not the caller's. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Starts, resumes, retries, forks and cancels runs for the API. A run the server starts executes
 * in this process, in the background: the call answers once the run is under way (its first event),
 * and its engine events go to the hub (and any extra listeners, e.g. tracing) as they happen.
 */
export class RunControl {
  private readonly active = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly workflows: WorkflowSource,
    private readonly hub: EventHub,
    private readonly listeners: readonly EventListener[] = [],
  ) {}

  isLocal(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Runs executing here now, for a clean shutdown. */
  get running(): number {
    return this.active.size;
  }

  async start(body: {
    workflow: string;
    input: Record<string, unknown>;
    runId?: string;
    startAt?: string;
    by?: string;
  }): Promise<RunAccepted> {
    const graph = await this.workflows.load(body.workflow);
    if (!graph) throw badRequest(`Unknown workflow "${body.workflow}"`, "workflow");
    const runId = body.runId ?? globalThis.crypto.randomUUID();
    // A delayed run is stored and left to the runner (this server's, or any worker's).
    const later = body.startAt ? { startAt: new Date(body.startAt), hold: 0 } : {};
    return this.launch(runId, (onEvent) =>
      graph.run(body.input, { runId, onEvent, actor: apiActor(body.by), ...later }),
    );
  }

  /** Send a named event to a run (see `signalRun`): 404 unknown run, 409 finished, 400 bad payload. */
  async signal(
    runId: string,
    name: string,
    body: { value?: unknown; by?: string },
  ): Promise<{ runId: string; event: string; seq: number }> {
    const seq = await signalRun(this.store, runId, name, body.value ?? null, { actor: apiActor(body.by) });
    return { runId, event: name, seq };
  }

  /** Runs driven by this server's due-work runner: their events reach the feeds, and shutdown waits for them. */
  adopt(runId: string, done: Promise<unknown>): void {
    this.track(runId, done);
  }

  /** Events of runs driven here by others than this class (the due-work runner). */
  readonly onEvent: EventListener = (event) => this.publish(event);

  /**
   * Resume a run here. The engine refuses (before changing anything) a run a live process drives
   * (`RUN_BUSY`, 409), a missing or invalid answer (`INPUT_INVALID`, 400), a finished run; a run
   * whose owner is gone is taken over.
   */
  async resume(runId: string, value: unknown, opts: { force?: boolean; by?: string }): Promise<RunAccepted> {
    const { graph } = await this.runAndGraph(runId);
    return this.launch(runId, (onEvent) =>
      graph.resume(runId, value, { onEvent, force: opts.force ?? false, actor: apiActor(opts.by) }),
    );
  }

  async retry(runId: string, opts: { force?: boolean; by?: string }): Promise<RunAccepted> {
    const { run, graph } = await this.runAndGraph(runId);
    if (run.status !== "failed" && run.status !== "cancelled")
      throw conflict(`Run ${runId} is ${run.status}; only failed or cancelled runs can be retried`);
    return this.launch(runId, (onEvent) =>
      graph.retry(runId, { onEvent, force: opts.force ?? false, actor: apiActor(opts.by) }),
    );
  }

  /** Resume here every run whose owner is gone (at start, then now and then); returns how many. */
  async recover(): Promise<number> {
    const report = await recoverRuns({
      store: this.store,
      workflow: (name) => this.workflows.load(name),
      actor: { via: "recover", who: "baton serve" },
      crashed: (run) => crashOf(run) !== undefined,
      onEvent: (event) => this.publish(event),
    });
    for (const r of report.recovered)
      this.track(
        r.runId,
        r.done.catch((error: unknown) => console.error(`baton serve: could not recover ${r.runId}:`, error)),
      );
    return report.recovered.length;
  }

  /**
   * Recover one crashed run here (the Recover button): its lease is taken from the gone owner, as
   * `recover()` does for all of them. Refused (409) for a run whose owner is alive or that stopped.
   */
  async recoverRun(runId: string, opts: { by?: string }): Promise<RunAccepted> {
    const { run } = await this.runAndGraph(runId);
    if (!crashOf(run))
      throw conflict(`Run ${runId} is ${run.status} and its owner is not gone; there is nothing to recover`);
    const report = await recoverRuns({
      store: this.store,
      workflow: (name) => this.workflows.load(name),
      actor: apiActor(opts.by),
      crashed: (r) => r.id === runId && crashOf(r) !== undefined,
      onEvent: (event) => this.publish(event),
    });
    const mine = report.recovered.find((r) => r.runId === runId);
    if (!mine) throw conflict(`Run ${runId} was taken over by another process first`);
    this.track(runId, mine.done);
    return { runId, status: "running", created: false };
  }

  async fork(
    runId: string,
    body: { step: number; update?: Record<string, unknown>; runId?: string },
  ): Promise<RunAccepted> {
    const { graph } = await this.runAndGraph(runId);
    const checkpoints = await this.store.listCheckpoints(runId);
    if (!checkpoints.some((c) => c.step === body.step))
      throw badRequest(
        `Run ${runId} has no checkpoint at step ${body.step} (it has ${checkpoints.map((c) => c.step).join(", ") || "none"})`,
        "step",
      );
    const newId = body.runId ?? globalThis.crypto.randomUUID();
    if (await this.store.getRun(newId)) throw conflict(`A run with id "${newId}" exists already`);
    return this.launch(newId, (onEvent) =>
      graph.fork(runId, {
        step: body.step,
        runId: newId,
        onEvent,
        ...(body.update ? { update: body.update } : {}),
      }),
    );
  }

  /**
   * Cancel a run. Here: aborted through its signal. Elsewhere: asked through the store (its process
   * looks twice a second). Interrupted runs, and with `takeOver` running runs whose process is gone,
   * are cancelled (and compensated) here.
   */
  async cancel(runId: string, opts: { compensate: boolean; by?: string }): Promise<RunAccepted> {
    const { run, graph } = await this.runAndGraph(runId);
    if (TERMINAL_STATUSES.has(run.status)) throw conflict(`Run ${runId} is already ${run.status}`);
    const options = { compensate: opts.compensate, actor: apiActor(opts.by) };
    const local = this.active.get(runId);
    // Undoing can take a while: answer after a few seconds at most; the live feed tells the rest.
    if (local) {
      await graph.cancel(runId, options);
      await within(local, CANCEL_WAIT_MS);
    } else await within(graph.cancel(runId, options), CANCEL_WAIT_MS);
    const now = (await this.store.getRun(runId))!;
    return { runId, status: now.status, created: false };
  }

  /** Wait for runs executing here to stop (used on shutdown, bounded by the caller). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.active.values()]);
  }

  private async runAndGraph(runId: string): Promise<{ run: RunRecord; graph: AnyCompiledGraph }> {
    const run = await this.store.getRun(runId);
    if (!run) throw notFound(`No run with id "${runId}"`);
    const graph = await this.workflows.load(run.graph);
    if (!graph)
      throw new HttpError(
        422,
        "WORKFLOW_UNAVAILABLE",
        `Run ${runId} belongs to workflow "${run.graph}", which this server cannot load; run it with \`baton run <file>\` once so its path is recorded`,
      );
    if (this.active.has(runId) && run.status !== "running" && run.status !== "compensating")
      throw conflict(`Run ${runId} is busy in this server; try again in a moment`);
    return { run, graph };
  }

  /** Run in the background; answer at its first event, or with its result if it had nothing to do. */
  private launch(runId: string, go: Go): Promise<RunAccepted> {
    if (this.active.has(runId))
      return Promise.reject(conflict(`Run ${runId} is running in this server already`));
    return new Promise<RunAccepted>((resolve, reject) => {
      let answered = false;
      const onEvent = (event: RunEvent) => {
        this.publish(event);
        if (!answered && event.type === "run_started") {
          answered = true;
          resolve({ runId, status: "running", created: true });
        }
      };
      const done = go(onEvent).then(
        (result) => {
          if (!answered) resolve({ runId, status: result.status, created: false });
          answered = true;
        },
        (error: unknown) => {
          if (!answered) reject(error);
          else console.error(`baton serve: run ${runId} stopped with an error:`, error);
          answered = true;
        },
      );
      this.track(runId, done);
    });
  }

  private publish(event: RunEvent): void {
    this.hub.publish(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`baton serve: an event listener threw on ${event.type}:`, error);
      }
    }
  }

  private track(runId: string, done: Promise<unknown>): void {
    const settled = done
      .catch(() => undefined)
      .finally(() => {
        if (this.active.get(runId) === settled) this.active.delete(runId);
      });
    this.active.set(runId, settled);
  }
}
