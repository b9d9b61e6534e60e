import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A successful result: the data as `structuredContent`, and as JSON text for clients that read only text. */
export function ok(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

/** A tool-level failure: the call reached the tool and the tool says why it cannot answer. */
export function fail(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
