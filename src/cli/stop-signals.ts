import { StopReason } from "../engine/signals.js";

export const EXIT_SIGNALLED = 130;

export interface SignalStop {
  /** Aborted (with a `StopReason`) at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  readonly received: string | undefined;
  dispose(): void;
}

/**
 * Ctrl-C (or SIGTERM) while this process drives a run: the first stops the run cleanly — in-flight
 * nodes are aborted through their signals, finished work is kept, the lease is let go — and the
 * command reports how to go on; a second one exits at once.
 */
export function stopOnSignals(): SignalStop {
  const controller = new AbortController();
  let received: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (received) process.exit(EXIT_SIGNALLED);
    received = name;
    if (process.stderr.isTTY) process.stderr.write("\n");
    process.stderr.write(`baton: ${name}: stopping the run (again to quit at once)\n`);
    controller.abort(new StopReason(`${name} received`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** The one line a stopped run ends with: it can be resumed (or cancelled) later. */
export function stoppedLine(runId: string, signal: string): string {
  return `run ${runId} stopped (${signal}); finished steps are kept. Resume it with: npx baton resume ${runId}  (or cancel: npx baton cancel ${runId})\n`;
}
