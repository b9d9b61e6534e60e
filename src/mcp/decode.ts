import { ToolError } from "./errors.js";

/** The parts of an MCP `CallToolResult` that decoding reads. */
export interface RawToolResult {
  content?: ReadonlyArray<{ type: string; text?: unknown }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * What a workflow wants from a tool result: `structuredContent` as an object, else the text parsed as JSON
 * when it is JSON, else the text. Non-text content (images, resources) is returned as the content list.
 * An `isError` result becomes a `ToolError` carrying the server's message.
 */
export function decodeToolResult(server: string, tool: string, result: RawToolResult): unknown {
  if (result.isError === true) throw toolErrorFrom(server, tool, result);
  if (result.structuredContent !== undefined && result.structuredContent !== null)
    return result.structuredContent;
  const content = result.content ?? [];
  const texts = textsOf(content);
  if (texts.length === 0) return content.length === 0 ? undefined : content;
  if (texts.length < content.length) return content;
  const text = texts.join("\n");
  const parsed = parseJson(text);
  return parsed === undefined ? text : parsed.value;
}

function toolErrorFrom(server: string, tool: string, result: RawToolResult): ToolError {
  // The SDK prefixes its own validation failures with "MCP error -32602: "; the code adds nothing for a reader.
  const text = textsOf(result.content ?? [])
    .join("\n")
    .replace(/^MCP error -?\d+: /, "");
  const structured = result.structuredContent;
  const details = structured ?? parseJson(text)?.value ?? text;
  const message = messageOf(details) ?? (text === "" ? "the tool reported an error" : text);
  return new ToolError(server, tool, message, { details });
}

function textsOf(content: ReadonlyArray<{ type: string; text?: unknown }>): string[] {
  return content.filter((c) => c.type === "text" && typeof c.text === "string").map((c) => c.text as string);
}

/** `{ value }` when the whole text is JSON; `undefined` when it is prose. */
function parseJson(text: string): { value: unknown } | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return { value: JSON.parse(trimmed) };
  } catch {
    return undefined;
  }
}

function messageOf(details: unknown): string | undefined {
  if (typeof details === "string") return details === "" ? undefined : details;
  if (typeof details !== "object" || details === null) return undefined;
  const record = details as Record<string, unknown>;
  for (const key of ["message", "error"]) {
    const value = record[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
