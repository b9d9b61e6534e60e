import { appendFileSync } from "node:fs";

/**
 * Appends one JSON line per event to the file named by `BATON_MCP_TRACE_FILE`, if set. Tests read it to
 * see what the server really received (calls, idempotency keys, cancellations); it is off by default.
 */
export function trace(server: string, event: Record<string, unknown>): void {
  const file = process.env.BATON_MCP_TRACE_FILE;
  if (file === undefined || file === "") return;
  try {
    appendFileSync(
      file,
      `${JSON.stringify({ at: new Date().toISOString(), server, pid: process.pid, ...event })}\n`,
    );
  } catch {
    // Tracing is a diagnostic aid; it must never fail a call.
  }
}
