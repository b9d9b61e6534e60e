import { z } from "zod";
import type { Store } from "../../src/engine/store.js";
import { defineState, END, START, StateGraph, value } from "../../src/index.js";
import type { WorkflowLookup } from "../../src/schedules/workflow-ref.js";

const State = defineState(
  { city: value<string>(), done: value<boolean>() },
  { schema: z.object({ city: z.string().min(1).optional(), done: z.boolean().optional() }) },
);

/** A one-node workflow named `report`, with an input schema (a city name). */
export function reportGraph(store: Store) {
  return new StateGraph(State)
    .addNode("work", () => ({ done: true }))
    .addEdge(START, "work")
    .addEdge("work", END)
    .compile({ store, name: "report" });
}

/** The lookup ticks use: `report` only. */
export const lookup: WorkflowLookup = async (name) => {
  if (name !== "report") throw new Error(`Unknown workflow "${name}"`);
  return { name: "report", hash: "report-hash" };
};

/** 2026-12-02 10:00:00 UTC, a Wednesday. */
export const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const iso = (ms: number) => new Date(ms).toISOString();
