import type { StateDefinition } from "../graph/state.js";

/** What adding a schedule needs of its workflow: the name runs record, the state the input is checked against. */
export interface ScheduledWorkflow {
  readonly name: string;
  readonly definition: StateDefinition;
}

/** A workflow as a tick starts it: the name and structure hash its run records. */
export interface WorkflowIdentity {
  readonly name: string;
  readonly hash: string;
}

/**
 * Finds a schedule's workflow by name when a tick (or `trigger`) starts a run, so the run records
 * the workflow's hash as it is then. Throws when the workflow is unknown.
 */
export type WorkflowLookup = (name: string) => Promise<WorkflowIdentity>;
