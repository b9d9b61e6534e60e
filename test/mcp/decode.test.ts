import { describe, expect, it } from "vitest";
import { decodeToolResult, ToolError } from "../../src/mcp/index.js";

const text = (t: string) => ({ type: "text", text: t });

describe("decodeToolResult", () => {
  it("prefers structuredContent", () => {
    expect(decodeToolResult("s", "t", { content: [text("ignored")], structuredContent: { a: 1 } })).toEqual({
      a: 1,
    });
  });

  it("parses JSON text, else returns the text", () => {
    expect(decodeToolResult("s", "t", { content: [text('{"b":[1,2]}')] })).toEqual({ b: [1, 2] });
    expect(decodeToolResult("s", "t", { content: [text("42")] })).toBe(42);
    expect(decodeToolResult("s", "t", { content: [text("null")] })).toBeNull();
    expect(decodeToolResult("s", "t", { content: [text("hello world")] })).toBe("hello world");
    expect(decodeToolResult("s", "t", { content: [text("line 1"), text("line 2")] })).toBe("line 1\nline 2");
  });

  it("returns non-text content as is", () => {
    const content = [{ type: "image", data: "AAAA", mimeType: "image/png" }];
    expect(decodeToolResult("s", "t", { content })).toEqual(content);
    expect(decodeToolResult("s", "t", { content: [] })).toBeUndefined();
  });

  it("turns isError into a ToolError with server, tool and message", () => {
    let error: unknown;
    try {
      decodeToolResult("weather", "get_current_weather", {
        content: [text('Unknown city "Atlantis"')],
        isError: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({
      code: "TOOL_ERROR",
      server: "weather",
      tool: "get_current_weather",
      details: 'Unknown city "Atlantis"',
    });
    expect((error as Error).message).toBe(
      'Tool "get_current_weather" on MCP server "weather" failed: Unknown city "Atlantis"',
    );
  });

  it("reads the message of a JSON error payload (the course's { error } convention)", () => {
    expect(() =>
      decodeToolResult("db", "query", { content: [text('{"error":"no such table"}')], isError: true }),
    ).toThrow(/failed: no such table$/);
    expect(() => decodeToolResult("db", "query", { content: [], isError: true })).toThrow(
      /the tool reported an error/,
    );
  });
});
