import { signalRun } from "../../engine/signal-run.js";
import type { RuntimeOptions } from "../../host/runtime.js";
import { cliActor } from "../actor.js";
import { EXIT, parseJsonOption, UsageError } from "../exit.js";
import { withRuntime } from "./run.js";

export interface SignalCommandOptions extends RuntimeOptions {
  value?: string;
  json?: boolean;
}

/**
 * `baton signal`: send a named event to a run (`ctx.waitForEvent`). The run may be waiting for it
 * now or get there later; the event is kept until a wait takes it. An unknown or finished run, or a
 * payload the waiting node's schema rejects, is refused and nothing is kept.
 */
export async function signalCommand(
  runId: string,
  name: string,
  options: SignalCommandOptions,
): Promise<number> {
  const payload = options.value === undefined ? null : parseJsonOption(options.value, "--value");
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    rt.requireWritable("baton signal");
    const run = await rt.store.getRun(runId);
    if (!run) throw new UsageError(`No run with id "${runId}" in ${rt.dbSpec}`);
    const seq = await signalRun(rt.store, runId, name, payload, { actor: cliActor() });
    const waiting = (run.waits ?? []).some((w) => w.kind === "event" && w.event === name);
    if (options.json) process.stdout.write(`${JSON.stringify({ runId, event: name, seq, waiting })}\n`);
    else
      process.stdout.write(
        waiting
          ? `sent "${name}" to ${runId}; it was waiting for it and continues as soon as a runner picks it up\n`
          : `sent "${name}" to ${runId} (${run.status}); kept until the run waits for it\n`,
      );
    return EXIT.ok;
  });
}
