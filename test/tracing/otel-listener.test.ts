import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { StateGraph } from "../../src/graph/builder.js";
import { value } from "../../src/graph/channels.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState } from "../../src/graph/state.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { ATTR, otelListener } from "../../src/tracing/otel-listener.js";
import { approvalGraph, sagaGraph } from "../http/fixtures.js";

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { listener: otelListener(provider.getTracer("test")), spans: () => exporter.getFinishedSpans() };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;

describe("otelListener", () => {
  it("makes a span per run and a child per node attempt, with run id, node, step and attempt", async () => {
    const { listener, spans } = tracing();
    const result = await sagaGraph(new MemoryStore()).run({}, { runId: "ok", onEvent: listener });
    const all = spans();
    const [run] = named(all, "baton.run mini-saga");
    expect(run).toBeDefined();
    expect(run!.attributes).toMatchObject({
      [ATTR.runId]: "ok",
      [ATTR.graph]: "mini-saga",
      [ATTR.status]: "completed",
    });
    expect(run!.status.code).toBe(SpanStatusCode.OK);
    const nodes = all.filter((s) => s.name.startsWith("baton.node "));
    expect(nodes.map((s) => s.attributes[ATTR.node]).sort()).toEqual(["notify", "pay", "reserve", "ship"]);
    for (const s of nodes) {
      expect(parentOf(s)).toBe(run!.spanContext().spanId);
      expect(s.spanContext().traceId).toBe(run!.spanContext().traceId);
      expect(s.attributes).toMatchObject({
        [ATTR.runId]: "ok",
        [ATTR.attempt]: 1,
        [ATTR.outcome]: "succeeded",
      });
    }
    expect(named(all, "baton.node ship")[0]!.attributes[ATTR.step]).toBe(3);
    // pay and notify ran side by side in step 2: their spans overlap in time.
    const [pay] = named(all, "baton.node pay");
    const [notify] = named(all, "baton.node notify");
    expect(pay!.attributes[ATTR.step]).toBe(notify!.attributes[ATTR.step]);
    expect(ms(run!.endTime) - ms(run!.startTime)).toBeCloseTo(result.durationMs, -2);
    expect(run!.events.filter((e) => e.name === "checkpoint")).toHaveLength(3);
  });

  it("records each failed attempt, then the compensation with one span per undo, in reverse", async () => {
    const { listener, spans } = tracing();
    await sagaGraph(new MemoryStore()).run({ failAt: "ship" }, { runId: "bad", onEvent: listener });
    const all = spans();
    const ship = named(all, "baton.node ship").sort(
      (a, b) => Number(a.attributes[ATTR.attempt]) - Number(b.attributes[ATTR.attempt]),
    );
    expect(ship.map((s) => s.attributes[ATTR.outcome])).toEqual(["retrying", "failed"]);
    for (const s of ship) {
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.status.message).toMatch(/ship broke/);
      expect(s.events.some((e) => e.name === "exception")).toBe(true);
    }
    expect(ship[0]!.attributes[ATTR.retryDelayMs]).toBe(5);
    const [saga] = named(all, "baton.compensation");
    const [run] = named(all, "baton.run mini-saga");
    expect(parentOf(saga!)).toBe(run!.spanContext().spanId);
    expect(saga!.attributes[ATTR.outcome]).toBe("compensated");
    const undos = all
      .filter((s) => s.name.startsWith("baton.undo "))
      .sort((a, b) => ms(a.startTime) - ms(b.startTime));
    expect(undos.every((u) => parentOf(u) === saga!.spanContext().spanId)).toBe(true);
    expect(undos.at(-1)!.attributes[ATTR.node]).toBe("reserve");
    expect(undos).toHaveLength(3);
    expect(run!.attributes[ATTR.status]).toBe("compensated");
    expect(run!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("marks timed-out attempts, and ends an interrupted attempt without an error", async () => {
    const { listener, spans } = tracing();
    const State = defineState({ x: value(0) });
    const slow = new StateGraph(State)
      .addNode("slow", (_s, c) => new Promise((r) => c.signal.addEventListener("abort", () => r({}))), {
        timeout: 20,
      })
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .compile({ store: new MemoryStore(), name: "slow" });
    await slow.run({}, { onEvent: listener });
    const [attempt] = named(spans(), "baton.node slow");
    expect(attempt!.attributes).toMatchObject({
      [ATTR.timeout]: true,
      [ATTR.errorCode]: "NODE_TIMEOUT",
      [ATTR.outcome]: "failed",
    });

    const approval = approvalGraph(new MemoryStore());
    await approval.run({ topic: "urgent" }, { runId: "ask", onEvent: listener });
    const [ask] = named(spans(), "baton.node ask");
    expect(ask!.attributes[ATTR.outcome]).toBe("interrupted");
    expect(ask!.status.code).toBe(SpanStatusCode.UNSET);
    const paused = named(spans(), "baton.run approval")[0]!;
    expect(paused.attributes[ATTR.status]).toBe("interrupted");
    await approval.resume("ask", { approved: true }, { onEvent: listener });
    const runs = named(spans(), "baton.run approval");
    expect(runs).toHaveLength(2);
    expect(runs[1]!.attributes).toMatchObject({ [ATTR.resumed]: true, [ATTR.status]: "completed" });
  });

  it("ends the spans of attempts still open when a run is cancelled", async () => {
    const { listener, spans } = tracing();
    const controller = new AbortController();
    const running = sagaGraph(new MemoryStore()).run(
      { delayMs: 10_000 },
      {
        onEvent: (e) => {
          listener(e);
          if (e.type === "node_started") controller.abort();
        },
        signal: controller.signal,
      },
    );
    expect((await running).status).toBe("cancelled");
    const [reserve] = named(spans(), "baton.node reserve");
    expect(reserve!.attributes[ATTR.outcome]).toBe("stopped");
    expect(named(spans(), "baton.run mini-saga")[0]!.attributes[ATTR.status]).toBe("cancelled");
  });

  it("is a no-op without an SDK", async () => {
    const listener = otelListener();
    const result = await sagaGraph(new MemoryStore()).run({ failAt: "pay" }, { onEvent: listener });
    expect(result.status).toBe("compensated");
  });
});
