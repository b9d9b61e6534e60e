import type { RunEvent } from "../engine/events.js";
import { waitText } from "./wait-note.js";

/** A run stopped at these waits for something, and nothing went wrong. */
const PAUSED = new Set(["interrupted", "sleeping", "waiting", "pending"]);

import { color, colorsOn, lineWriter, MARK, paint } from "../host/terminal.js";

type Cell = { node: string; mark: string; detail: string };

/**
 * Live progress of a run on a terminal: one line per step with its parallel tasks side by side,
 * redrawn as they start, retry and finish; compensation steps below; elapsed time throughout.
 * Off a terminal, each step's line is printed once, when it is complete, with no escape codes.
 */
export function progressPrinter(write: (text: string) => void, tty: boolean): (event: RunEvent) => void {
  const colors = colorsOn(tty);
  const rewrite = lineWriter(write, colors);
  let cells: Cell[] = [];
  let notes: string[] = [];
  let step = 0;
  let started = 0;
  const elapsed = (at: number) => `${((at - started) / 1000).toFixed(1)}s`;
  const line = (at: number) => {
    const body = cells
      .map((c) => `${paint(c.mark, colors)} ${c.node}${c.detail ? ` ${c.detail}` : ""}`)
      .join("  │  ");
    return `  step ${String(step).padStart(2)}  ${body}  ${color(90, elapsed(at), colors)}`;
  };
  const redraw = (at: number) => {
    if (tty) rewrite(line(at));
  };
  const endStep = (at: number) => {
    if (cells.length === 0) return;
    if (tty) rewrite(line(at), "\n");
    else write(`${line(at)}\n`);
    for (const note of notes) write(`${note}\n`);
    cells = [];
    notes = [];
  };
  const cell = (taskId: string) => cells.find((c) => c.node === taskId);
  return (e) => {
    switch (e.type) {
      case "run_started":
        // A run woken after a sleep in the same call keeps counting from its first start.
        if (!e.resumed || started === 0) started = e.at;
        write(`${e.resumed ? "resuming" : "running"} ${e.graph}  run ${e.runId}\n`);
        return;
      case "step_started":
        endStep(e.at);
        step = e.step;
        cells = e.tasks.map((t) => ({ node: t.id, mark: MARK.running, detail: "" }));
        return redraw(e.at);
      case "node_started":
        return redraw(e.at);
      case "node_retrying":
        notes.push(
          `    ${paint(MARK.retry, colors)} ${e.taskId} attempt ${e.attempt} failed (${e.error.message}); retrying in ${e.delayMs}ms`,
        );
        Object.assign(cell(e.taskId) ?? {}, {
          mark: MARK.retry,
          detail: `retry ${e.attempt + 1} in ${e.delayMs}ms (${e.error.message})`,
        });
        return redraw(e.at);
      case "node_succeeded":
        Object.assign(cell(e.taskId) ?? {}, {
          mark: MARK.ok,
          detail: `${e.durationMs}ms${e.attempt > 1 ? ` after ${e.attempt} attempts` : ""}`,
        });
        return redraw(e.at);
      case "node_failed":
        Object.assign(cell(e.taskId) ?? {}, {
          mark: e.continued ? MARK.continued : MARK.failed,
          detail: e.error.message,
        });
        return redraw(e.at);
      case "interrupted":
        Object.assign(cell(e.taskId) ?? {}, { mark: MARK.paused, detail: "waiting for input" });
        return redraw(e.at);
      case "node_waiting":
        Object.assign(cell(e.taskId) ?? {}, {
          mark: MARK.paused,
          detail: waitText(e.wait).slice(e.wait.node.length + 1),
        });
        return redraw(e.at);
      case "compensation_started":
        endStep(e.at);
        if (e.nodes.length > 0) write(`  compensating: ${e.nodes.join(" ← ")}\n`);
        return;
      case "compensation_step":
        if (e.status === "started" && e.attempt === 1) return;
        write(
          `    ${paint(e.status === "done" ? MARK.ok : e.status === "failed" ? MARK.failed : MARK.retry, colors)} undo ${e.node}${e.error ? ` (${e.error.message})` : ""}\n`,
        );
        return;
      case "run_finished":
        endStep(e.at);
        write(
          `${paint(e.status === "completed" ? MARK.ok : PAUSED.has(e.status) ? MARK.paused : MARK.failed, colors)} ${e.status} in ${elapsed(e.at)}${e.error ? `: ${e.error.message}` : ""}\n`,
        );
        return;
      default:
        return;
    }
  };
}
