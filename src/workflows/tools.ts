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

/** The text of a tool result: the filesystem server answers `{ content: "…" }` or plain text. */
export function toolText(value: unknown): string {
  if (typeof value === "string") return value;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { content?: unknown }).content === "string"
  ) {
    return (value as { content: string }).content;
  }
  return JSON.stringify(value);
}

/** Absolute paths listed one per line in a tool's text result. */
export function pathsIn(value: unknown): string[] {
  return toolText(value)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("/"));
}
