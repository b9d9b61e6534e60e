import type { CompiledGraph } from "../engine/compiled.js";
import type { ChannelMap } from "../graph/state.js";

/** What a worker needs of a compiled workflow. */
export type Workflow = Pick<CompiledGraph<ChannelMap>, "name" | "hash" | "store" | "resume" | "cancel">;

/** Finds the workflow a run was submitted with, by its graph name. */
export type WorkflowSource = (graph: string) => Promise<Workflow>;
