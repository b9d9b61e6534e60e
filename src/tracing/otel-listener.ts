import { type Attributes, context, type Span, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { EventListener, EventOf, RunEvent } from "../engine/events.js";
import type { ErrorInfo } from "../errors.js";

/** Attribute names, one place: dashboards and queries depend on them. */
export const ATTR = {
  runId: "baton.run.id",
  graph: "baton.graph",
  resumed: "baton.run.resumed",
  status: "baton.run.status",
  node: "baton.node",
  taskId: "baton.task.id",
  step: "baton.step",
  attempt: "baton.attempt",
  outcome: "baton.outcome",
  retryDelayMs: "baton.retry.delay_ms",
  timeout: "baton.timeout",
  continued: "baton.continued",
  taskKey: "baton.compensation.task_key",
  errorCode: "baton.error.code",
} as const;

/**
 * OpenTelemetry spans from a run's event stream: one span per run (`baton.run <graph>`), a child per
 * node attempt (`baton.node <node>`), and for a saga a `baton.compensation` child with one span per
 * undo attempt. Span times are the events' own times. Through `@opentelemetry/api`: without an SDK
 * registered this costs next to nothing and records nothing.
 *
 * @example
 * await graph.run(input, { onEvent: otelListener() });
 */
export function otelListener(tracer: Tracer = trace.getTracer("baton")): EventListener {
  const runs = new Map<string, RunSpans>();
  return (event: RunEvent) => {
    if (event.type === "run_started") {
      runs.get(event.runId)?.finish(event.at, undefined);
      runs.set(event.runId, new RunSpans(tracer, event));
      return;
    }
    const spans = runs.get(event.runId);
    if (!spans) return;
    spans.on(event);
    if (event.type === "run_finished") runs.delete(event.runId);
  };
}

/** The open spans of one run. */
class RunSpans {
  private readonly root: Span;
  private readonly attempts = new Map<string, Span>();
  private saga: Span | undefined;
  private readonly undos = new Map<string, Span>();

  constructor(
    private readonly tracer: Tracer,
    started: EventOf<"run_started">,
  ) {
    this.root = tracer.startSpan(`baton.run ${started.graph}`, {
      startTime: started.at,
      attributes: {
        [ATTR.runId]: started.runId,
        [ATTR.graph]: started.graph,
        [ATTR.resumed]: started.resumed,
      },
    });
  }

  on(event: RunEvent): void {
    switch (event.type) {
      case "step_started":
        this.root.addEvent(
          "step",
          { [ATTR.step]: event.step, "baton.tasks": event.tasks.map((t) => t.id) },
          event.at,
        );
        return;
      case "checkpoint_saved":
        this.root.addEvent("checkpoint", { [ATTR.step]: event.step }, event.at);
        return;
      case "node_started":
        this.attempts.get(event.taskId)?.end(event.at);
        this.attempts.set(
          event.taskId,
          this.child(this.root, `baton.node ${event.node}`, event.at, {
            [ATTR.runId]: event.runId,
            [ATTR.node]: event.node,
            [ATTR.taskId]: event.taskId,
            [ATTR.step]: event.step,
            [ATTR.attempt]: event.attempt,
          }),
        );
        return;
      case "node_succeeded":
        this.endAttempt(event.taskId, event.at, "succeeded");
        return;
      case "node_retrying":
        this.endAttempt(event.taskId, event.at, "retrying", event.error, {
          [ATTR.retryDelayMs]: event.delayMs,
        });
        return;
      case "node_failed":
        this.endAttempt(event.taskId, event.at, event.continued ? "continued" : "failed", event.error, {
          [ATTR.continued]: event.continued,
        });
        return;
      case "interrupted":
        this.endAttempt(event.taskId, event.at, "interrupted");
        return;
      case "compensation_started":
        this.saga = this.child(this.root, "baton.compensation", event.at, {
          [ATTR.runId]: event.runId,
          "baton.compensation.nodes": [...event.nodes],
        });
        return;
      case "compensation_step":
        this.undo(event);
        return;
      case "compensation_finished":
        this.closeSaga(event.at, event.status === "compensated" ? undefined : event.status);
        return;
      case "run_finished":
        this.finish(event.at, event);
        return;
      default:
        return;
    }
  }

  /** End everything still open (a cancelled run's in-flight attempts) and the run span itself. */
  finish(at: number, event: EventOf<"run_finished"> | undefined): void {
    for (const taskId of [...this.attempts.keys()]) this.endAttempt(taskId, at, "stopped");
    this.closeSaga(at, undefined);
    this.root.setAttribute(ATTR.status, event?.status ?? "superseded");
    if (event?.error) fail(this.root, event.error, at);
    else if (event?.status === "completed") this.root.setStatus({ code: SpanStatusCode.OK });
    this.root.end(at);
  }

  private undo(event: EventOf<"compensation_step">): void {
    const parent = this.saga ?? this.root;
    if (event.status === "started") {
      this.undos.get(event.taskKey)?.end(event.at);
      this.undos.set(
        event.taskKey,
        this.child(parent, `baton.undo ${event.node}`, event.at, {
          [ATTR.runId]: event.runId,
          [ATTR.node]: event.node,
          [ATTR.taskKey]: event.taskKey,
          [ATTR.attempt]: event.attempt,
        }),
      );
      return;
    }
    const span = this.undos.get(event.taskKey);
    if (!span) return;
    this.undos.delete(event.taskKey);
    span.setAttribute(ATTR.outcome, event.status);
    if (event.error) fail(span, event.error, event.at);
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end(event.at);
  }

  private closeSaga(at: number, failure: string | undefined): void {
    for (const span of this.undos.values()) span.end(at);
    this.undos.clear();
    if (!this.saga) return;
    this.saga.setAttribute(ATTR.outcome, failure ?? "compensated");
    if (failure) this.saga.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    this.saga.end(at);
    this.saga = undefined;
  }

  private endAttempt(
    taskId: string,
    at: number,
    outcome: string,
    error?: ErrorInfo,
    extra: Attributes = {},
  ): void {
    const span = this.attempts.get(taskId);
    if (!span) return;
    this.attempts.delete(taskId);
    span.setAttributes({ [ATTR.outcome]: outcome, ...extra });
    if (error) {
      if (error.code === "NODE_TIMEOUT") span.setAttribute(ATTR.timeout, true);
      fail(span, error, at);
    } else if (outcome === "succeeded") span.setStatus({ code: SpanStatusCode.OK });
    span.end(at);
  }

  private child(parent: Span, name: string, at: number, attributes: Attributes): Span {
    return this.tracer.startSpan(
      name,
      { startTime: at, attributes },
      trace.setSpan(context.active(), parent),
    );
  }
}

function fail(span: Span, error: ErrorInfo, at: number): void {
  span.recordException(
    { name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) },
    at,
  );
  if (error.code) span.setAttribute(ATTR.errorCode, error.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
