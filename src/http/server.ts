import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { EventListener } from "../engine/events.js";
import { BatonError } from "../errors.js";
import { startDueRunner } from "../host/due-runner.js";
import { openRuntime } from "../host/runtime.js";
import { schedulePass } from "../host/tick-pass.js";
import { otelListener } from "../tracing/otel-listener.js";
import { isLoopbackHost } from "./access.js";
import { createApp } from "./app.js";
import { runtimeWorkflows, type WorkflowSource } from "./workflows.js";

export interface ServerOptions {
  /** Default 7400; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Any non-loopback address needs a token. */
  host?: string;
  /** SQLite file or postgres:// URL (default: $BATON_DB or .baton/baton.db). */
  db?: string;
  /** MCP server configuration (default: baton.config.json, else the bundled servers). */
  config?: string;
  /** Required on every API call when set; default `$BATON_TOKEN`. */
  token?: string;
  /** The built dashboard (default `dist/ui` of this package). */
  uiDir?: string;
  /** Extra listeners for the events of runs this server executes (tracing is always on). */
  listeners?: EventListener[];
  /**
   * Resume runs whose owner is gone (crashed processes) at start and then every this many
   * milliseconds (default 30 s); 0 turns recovery off.
   */
  recoverEveryMs?: number;
  /**
   * Run due work here (default true): wake sleeping and waiting runs when they are due, start
   * delayed and scheduled runs. Any number of servers and workers may do so on one store.
   */
  runner?: boolean;
}

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly dbSpec: string;
  /** Stop listening, end live feeds, let runs executing here settle briefly, close the store and MCP servers. */
  close(): Promise<void>;
}

/** `baton serve`: the HTTP API and the dashboard over one store. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 7400;
  const token = options.token ?? (process.env.BATON_TOKEN || undefined);
  if (!isLoopbackHost(host) && !token)
    throw new BatonError(
      "CONFIG_INVALID",
      `Refusing to listen on ${host} without a token: anyone who can reach it could start and cancel runs. Set BATON_TOKEN or pass --token, or listen on 127.0.0.1`,
    );
  const rt = await openRuntime({
    ...(options.db ? { db: options.db } : {}),
    ...(options.config ? { config: options.config } : {}),
  });
  const workflows = runtimeWorkflows(rt);
  const baton = createApp({
    store: rt.store,
    workflows,
    ...(token ? { token } : {}),
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    listeners: [otelListener(), ...(options.listeners ?? [])],
  });
  let server: ReturnType<typeof serve>;
  let address: AddressInfo;
  try {
    ({ server, address } = await listen(baton.app.fetch, port, host));
  } catch (error) {
    await baton.close(0);
    await rt.close();
    throw error;
  }
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const recoverEveryMs = options.recoverEveryMs ?? 30_000;
  const recover = () =>
    baton.control.recover().then(
      (n) => {
        if (n > 0) console.error(`baton serve: recovered ${n} run(s) whose process was gone`);
      },
      (error: unknown) => console.error("baton serve: recovery failed:", error),
    );
  // As DBOS does at launch: crashed runs resume without anyone naming them.
  const recovering = recoverEveryMs > 0 ? recover() : Promise.resolve();
  const recoverTimer = recoverEveryMs > 0 ? setInterval(recover, recoverEveryMs) : undefined;
  recoverTimer?.unref();
  const runner =
    options.runner === false
      ? undefined
      : startDueRunner({
          store: rt.store,
          workflow: (name) => workflows.load(name),
          actor: { via: "worker", who: "baton serve" },
          onPass: schedulePass(rt.store, scheduleLookup(workflows), (line) =>
            console.error(`baton serve: ${line}`),
          ),
          onEvent: baton.control.onEvent,
          onDriven: (runId, done) => baton.control.adopt(runId, done),
          onError: (error, during) => console.error(`baton serve: ${during} failed:`, error),
        });
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    host,
    dbSpec: rt.dbSpec,
    close() {
      closing ??= (async () => {
        clearInterval(recoverTimer);
        await recovering;
        await runner?.stop();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await baton.close();
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await stopped;
        if (baton.control.running > 0)
          console.error(
            `baton serve: ${baton.control.running} run(s) still executing were left as they are; \`baton resume <id>\` continues them`,
          );
        await rt.close();
      })();
      return closing;
    },
  };
}

function listen(
  fetch: Parameters<typeof serve>[0]["fetch"],
  port: number,
  hostname: string,
): Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (address) => resolve({ server, address }));
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(
          new BatonError("CONFIG_INVALID", `Port ${port} on ${hostname} is in use; pick another with --port`),
        );
      else reject(error);
    });
  });
}

/** A schedule's workflow by name, as a tick records it; unknown names are an error the pass reports. */
function scheduleLookup(workflows: WorkflowSource) {
  return async (name: string) => {
    const graph = await workflows.load(name);
    if (!graph) throw new BatonError("SCHEDULE_INVALID", `Workflow "${name}" is not known to this server`);
    return graph;
  };
}
