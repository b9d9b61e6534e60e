import { mcpTools, type NodeTools } from "../index.js";
import type { WorkflowContext } from "./types.js";

/** Tool calls on the context's MCP servers, started on the first call (never just to draw a graph). */
export function lazyTools(ctx: WorkflowContext): () => Promise<NodeTools> {
  let tools: Promise<NodeTools> | undefined;
  return () => {
    tools ??= ctx.mcp().then(mcpTools);
    return tools;
  };
}
