/** Lines on a terminal (marks, colours unless `NO_COLOR`, a line rewritten in place) and the MCP servers' start lines. */
import type { ServerStartResult } from "../mcp/types.js";

export const MARK = { running: "…", ok: "✓", failed: "✗", continued: "!", retry: "↻", paused: "⏸" } as const;
export const color = (code: number, text: string, colors: boolean) =>
  colors ? `\x1b[${code}m${text}\x1b[0m` : text;

/** Colours only on a terminal, and not when `NO_COLOR` is set (https://no-color.org). */
export const colorsOn = (tty: boolean, env: Record<string, string | undefined> = process.env): boolean =>
  tty && !env.NO_COLOR;

/**
 * Rewrites the current terminal line: with colours, by erasing it (ANSI); without (`NO_COLOR`), with a
 * carriage return and spaces over what was there, so the output has no escape codes at all.
 */
export function lineWriter(write: (text: string) => void, colors: boolean) {
  let shown = 0;
  return (text: string, end = "") => {
    if (colors) write(`\r\x1b[2K${text}${end}`);
    else write(`\r${text.padEnd(shown)}${end}`);
    shown = end ? 0 : text.length;
  };
}

/**
 * The MCP servers a run uses, started before its first step: "starting MCP servers: a, b…", then
 * which are ready and how long that took (on a terminal, on the same line), and each that failed.
 */
export function mcpStartPrinter(write: (text: string) => void, tty: boolean) {
  const colors = colorsOn(tty);
  const rewrite = lineWriter(write, colors);
  return {
    starting(names: readonly string[]): void {
      const text = `starting MCP servers: ${names.join(", ")}…`;
      if (tty) rewrite(text);
      else write(`${text}\n`);
    },
    started(results: readonly ServerStartResult[], ms: number): void {
      const ready = results.filter((r) => r.ok).map((r) => r.name);
      const text =
        ready.length > 0
          ? `${paint(MARK.ok, colors)} MCP servers ready: ${ready.join(", ")}  ${color(90, `${(ms / 1000).toFixed(1)}s`, colors)}`
          : `${paint(MARK.failed, colors)} no MCP server started`;
      if (tty) rewrite(text, "\n");
      else write(`${text}\n`);
      for (const r of results)
        if (!r.ok)
          write(
            `  ${paint(MARK.failed, colors)} MCP server ${r.name} did not start: ${r.error?.message.split("\n")[0] ?? "unknown error"}\n`,
          );
    },
  };
}

export function paint(mark: string, colors: boolean): string {
  if (mark === MARK.ok) return color(32, mark, colors);
  if (mark === MARK.failed) return color(31, mark, colors);
  if (mark === MARK.retry || mark === MARK.continued || mark === MARK.paused) return color(33, mark, colors);
  return color(36, mark, colors);
}
