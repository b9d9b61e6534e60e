import { BatonError } from "../errors.js";
import type {
  EventResult,
  InterruptOptions,
  NodeContext,
  RunChildOptions,
  WaitForEventOptions,
} from "../graph/types.js";
import { DurableCalls, TASK_INTERNALS } from "./durable-calls.js";
import type { NewHistoryEvent } from "./history.js";
import { checkAnswer } from "./interrupt-schema.js";
import type { JournalEntry, TaskSpec } from "./records.js";
import { AbortRunSignal, InterruptSignal } from "./signals.js";
import type { TaskEnv } from "./task-runner.js";

/** `runId:node:step[:sendIndex]`: the same for every attempt of a task and after a crash. */
export function idempotencyKey(runId: string, node: string, step: number, taskId: string): string {
  const suffix = taskId === node ? "" : `:${taskId.slice(node.length + 1)}`;
  return `${runId}:${node}:${step}${suffix}`;
}

/**
 * What a node receives beside the state, for one attempt. A class: its methods live once on the
 * prototype, so a step of a thousand tasks builds a thousand small objects and no closures; the
 * durable calls behind `sleep`, `once`, `runChild`… are made on the first such call only.
 */
export class TaskContext implements NodeContext {
  readonly runId: string;
  readonly node: string;
  readonly step: number;
  readonly idempotencyKey: string;
  readonly input: unknown;
  private interrupts = 0;
  private calls: DurableCalls | undefined;

  constructor(
    private readonly env: TaskEnv,
    private readonly task: TaskSpec,
    readonly attempt: number,
    readonly signal: AbortSignal,
    private readonly resumes: readonly unknown[],
    private readonly journal: JournalEntry[],
    private readonly logged: NewHistoryEvent[],
  ) {
    this.runId = env.runId;
    this.node = task.node;
    this.step = env.step;
    this.idempotencyKey = idempotencyKey(env.runId, task.node, env.step, task.id);
    this.input = task.input;
  }

  /** The engine's own view: the durable calls and the answers this task has had (a subgraph node's). */
  [TASK_INTERNALS]() {
    return { calls: this.durable(), resumes: this.resumes };
  }

  emit(data: unknown): void {
    const { env, task } = this;
    env.emit?.({
      type: "node_custom",
      runId: env.runId,
      at: env.now(),
      step: env.step,
      node: task.node,
      taskId: task.id,
      data,
    });
  }

  interrupt<T = unknown>(payload: unknown, options?: InterruptOptions<T>): T {
    const { env, task } = this;
    if (!env.store)
      throw new BatonError(
        "RUN_STATE",
        `Node "${task.node}" called interrupt(), but this graph was compiled with store: false: a paused run must be stored to be resumed`,
        { runId: env.runId, node: task.node, step: env.step },
      );
    const index = this.interrupts++;
    if (index < this.resumes.length) {
      const answer = this.resumes[index];
      return options?.schema ? checkAnswer(options.schema, answer, task.node) : (answer as T);
    }
    throw new InterruptSignal(payload, options?.schema);
  }

  sleep(ms: number): Promise<void> {
    return this.durable().sleep(ms);
  }

  sleepUntil(date: Date | number): Promise<void> {
    return this.durable().sleepUntil(date);
  }

  waitForEvent<T = unknown>(name: string, options?: WaitForEventOptions<T>): Promise<EventResult<T>> {
    return this.durable().waitForEvent(name, options);
  }

  once<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    return this.durable().once(name, fn);
  }

  runChild(workflow: string | object, input: unknown, options?: RunChildOptions): Promise<never> {
    return this.durable().runChild(workflow, input, options) as Promise<never>;
  }

  abort(reason: string): never {
    throw new AbortRunSignal(reason);
  }

  private durable(): DurableCalls {
    const { env, signal, task, journal, logged, attempt, idempotencyKey } = this;
    this.calls ??= new DurableCalls(env, signal, task, journal, logged, attempt, idempotencyKey);
    return this.calls;
  }
}
