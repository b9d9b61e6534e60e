import { orderSaga } from "./order-saga/index.js";
import { parallelResearch } from "./parallel-research/index.js";
import { supportRouter } from "./support-router/index.js";
import type { ShippedWorkflow } from "./types.js";

const shipped: Record<string, ShippedWorkflow> = {
  [parallelResearch.name]: parallelResearch,
  [supportRouter.name]: supportRouter,
  [orderSaga.name]: orderSaga,
};

/** Workflows that come with Baton, by name. */
export function shippedWorkflow(name: string): ShippedWorkflow | undefined {
  return Object.hasOwn(shipped, name) ? shipped[name] : undefined;
}

export function shippedWorkflowNames(): string[] {
  return Object.keys(shipped);
}
