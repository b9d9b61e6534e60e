import { CircuitBreaker, type CircuitPermit } from "./circuit-breaker.js";
import { classifyCallError } from "./classify.js";
import { type LoadOptions, loadMcpConfig } from "./config.js";
import type { McpConfig } from "./config-types.js";
import { ServerConnection } from "./connection.js";
import { CallDeadline, MAX_TIMER_MS, raceAbort, sleep } from "./deadline.js";
import { decodeToolResult, type RawToolResult } from "./decode.js";
import { CircuitOpenError, McpUnavailableError } from "./errors.js";
import { HealthMonitor } from "./health-monitor.js";
import { allowedTools, assertToolAllowed } from "./tool-allow.js";
import {
  type CallToolOptions,
  type HealthReport,
  IDEMPOTENCY_META_KEY,
  type McpEvent,
  type McpManagerOptions,
  type ServerStartResult,
  type ServerStatus,
  type ToolInfo,
  type ToolInvoker,
} from "./types.js";

interface ServerEntry {
  readonly connection: ServerConnection;
  readonly breaker: CircuitBreaker;
  healthy?: boolean;
}

const DEFAULT_CLIENT_INFO = { name: "baton", version: "0.1.0" };

/**
 * Runs the configured MCP servers and calls their tools: starts them, restarts a dead one on the next call
 * or from the health monitor, keeps a circuit breaker per server, times calls out (cancelling them on the
 * server), retries transport failures, and decodes results.
 *
 * @example
 * const mcp = new McpManager(await loadMcpConfig());
 * await mcp.start();
 * const weather = await mcp.callTool("weather", "get_current_weather", { city: "Paris" }, { timeoutMs: 5000 });
 * await mcp.close();
 */
export class McpManager implements ToolInvoker {
  private readonly entries = new Map<string, ServerEntry>();
  private readonly monitor: HealthMonitor;
  private readonly healthTimeoutMs: number;
  private closed = false;

  constructor(
    readonly config: McpConfig,
    private readonly options: McpManagerOptions = {},
  ) {
    const clientInfo = options.clientInfo ?? DEFAULT_CLIENT_INFO;
    const emit = (event: McpEvent) => this.emit(event);
    for (const [name, server] of Object.entries(config.servers)) {
      const breaker = new CircuitBreaker(server.circuit, options.now ?? Date.now, (from, to) =>
        emit({ type: "circuit_changed", server: name, from, to }),
      );
      this.entries.set(name, { connection: new ServerConnection(name, server, clientInfo, emit), breaker });
    }
    this.healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
    this.monitor = new HealthMonitor(() => this.checkHealth(), options.healthIntervalMs ?? 30_000);
  }

  /** A manager for `baton.config.json` in the cwd, the given file, or the bundled servers when there is none. */
  static async load(path?: string, options: McpManagerOptions & LoadOptions = {}): Promise<McpManager> {
    return new McpManager(await loadMcpConfig(path, options), options);
  }

  get serverNames(): string[] {
    return [...this.entries.keys()];
  }

  has(server: string): boolean {
    return this.entries.has(server);
  }

  /**
   * Starts every server (or only those named) at once; one that fails does not stop the others. Starts
   * the health monitor. A server not started here starts on its first call.
   */
  async start(only?: readonly string[]): Promise<ServerStartResult[]> {
    this.assertOpen();
    const entries = [...this.entries].filter(([name]) => only === undefined || only.includes(name));
    const results = await Promise.all(
      entries.map(async ([name, entry]): Promise<ServerStartResult> => {
        try {
          await entry.connection.ensureStarted();
          entry.healthy = true;
          return { name, ok: true, tools: allowedTools(entry.connection.config, entry.connection.tools) };
        } catch (error) {
          entry.healthy = false;
          return { name, ok: false, error: error as Error };
        }
      }),
    );
    this.monitor.start();
    return results;
  }

  /**
   * Calls a tool and returns its decoded result. Rejects with `ToolError` (the tool failed), `McpTimeoutError`,
   * `CircuitOpenError` or `McpUnavailableError`, or with the signal's reason when the caller aborts.
   */
  async callTool<T = unknown>(
    server: string,
    tool: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<T> {
    const result = await this.callToolRaw(server, tool, args, options);
    return decodeToolResult(server, tool, result) as T;
  }

  /** Like `callTool`, but returns the undecoded `CallToolResult` (an `isError` result does not throw). */
  async callToolRaw(
    server: string,
    tool: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<RawToolResult> {
    const entry = this.entry(server, tool);
    assertToolAllowed(server, tool, entry.connection.config);
    const { retry, timeoutMs } = entry.connection.config;
    const deadline = new CallDeadline(options.timeoutMs ?? timeoutMs, options.signal);
    const meta = {
      ...options.meta,
      ...(options.idempotencyKey ? { [IDEMPOTENCY_META_KEY]: options.idempotencyKey } : {}),
    };
    try {
      for (let attempt = 1; ; attempt++) {
        const permit = this.permit(server, tool, entry);
        try {
          const client = await raceAbort(entry.connection.ensureStarted(), deadline.signal);
          const result = await client.callTool(
            { name: tool, arguments: args, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) },
            undefined,
            // The SDK's own timeout is only a backstop: the deadline's signal fires first and says why.
            { signal: deadline.signal, timeout: Math.min(deadline.remainingMs() + 1_000, MAX_TIMER_MS) },
          );
          permit.success();
          return result as RawToolResult;
        } catch (error) {
          const failure = classifyCallError(error, server, tool, deadline);
          if (failure.circuit === "success") permit.success();
          else if (failure.circuit === "failure") permit.failure();
          else permit.release();
          if (failure.resetConnection) await entry.connection.reset(failure.error as Error);
          if (!failure.retryable || attempt >= retry.attempts || this.closed) throw failure.error;
          const delayMs = retry.delayMs * 2 ** (attempt - 1);
          this.emit({ type: "call_retrying", server, tool, attempt, delayMs, error: failure.error as Error });
          await sleep(delayMs, deadline.signal).catch(() => {
            throw classifyCallError(undefined, server, tool, deadline).error;
          });
        }
      }
    } finally {
      deadline.dispose();
    }
  }

  /** Tools of one server, or of all servers (starting them as needed; a server that cannot start throws). */
  async listTools(server?: string): Promise<ToolInfo[]> {
    const names = server === undefined ? this.serverNames : [server];
    const lists = await Promise.all(
      names.map(async (name) => {
        const entry = this.entry(name);
        const client = await entry.connection.ensureStarted();
        const tools = await entry.connection.fetchTools(client, entry.connection.config.timeoutMs);
        entry.connection.tools = tools;
        return allowedTools(entry.connection.config, tools);
      }),
    );
    return lists.flat();
  }

  status(): ServerStatus[] {
    return [...this.entries].map(([name, { connection, breaker, healthy }]) => ({
      name,
      transport: connection.config.transport,
      state: connection.state,
      pid: connection.pid,
      circuit: breaker.state,
      ...(healthy === undefined ? {} : { healthy }),
      restarts: connection.restarts,
      ...(connection.lastError === undefined ? {} : { lastError: connection.lastError.message }),
    }));
  }

  /** Pings every running server and restarts those that are dead or do not answer. The monitor calls this. */
  async checkHealth(): Promise<HealthReport[]> {
    if (this.closed) return [];
    return Promise.all([...this.entries].map(([name, entry]) => this.checkOne(name, entry)));
  }

  private async checkOne(name: string, entry: ServerEntry): Promise<HealthReport> {
    const { connection } = entry;
    let restarted = false;
    try {
      if (connection.state === "ready") {
        try {
          await connection.ping(this.healthTimeoutMs);
          entry.healthy = true;
          return { name, healthy: true, restarted };
        } catch (error) {
          this.emit({ type: "health_check_failed", server: name, error: error as Error });
          await connection.reset(error as Error);
        }
      }
      if (connection.state === "closed") return { name, healthy: false, restarted };
      // Never started (nothing has called it yet): not the monitor's to start.
      if (connection.state === "idle") return { name, healthy: true, restarted };
      // Joining a start already under way is not a restart of ours.
      restarted = connection.state !== "starting";
      await connection.ensureStarted();
      entry.healthy = true;
      return { name, healthy: true, restarted };
    } catch (error) {
      entry.healthy = false;
      return { name, healthy: false, restarted, error: (error as Error).message };
    }
  }

  /** Stops and starts one server. */
  async restart(server: string): Promise<void> {
    const { connection } = this.entry(server);
    await connection.reset(new McpUnavailableError(server, "connection_closed", "restart requested"));
    await connection.ensureStarted();
  }

  /** Stops the monitor and every server; resolves once every stdio child has exited. */
  async close(): Promise<void> {
    this.closed = true;
    await this.monitor.stop();
    await Promise.all([...this.entries.values()].map((entry) => entry.connection.close()));
  }

  private entry(server: string, tool?: string): ServerEntry {
    this.assertOpen(server);
    const entry = this.entries.get(server);
    if (entry === undefined) {
      const known = this.serverNames.join(", ") || "none";
      throw new McpUnavailableError(
        server,
        "unknown_server",
        `Unknown MCP server "${server}" (configured: ${known})`,
        {
          ...(tool === undefined ? {} : { tool }),
        },
      );
    }
    return entry;
  }

  private permit(server: string, tool: string, entry: ServerEntry): CircuitPermit {
    const permit = entry.breaker.acquire();
    // Half-open with a trial already in flight: the next chance is as soon as that trial ends.
    if (permit === undefined)
      throw new CircuitOpenError(server, new Date(Math.max(entry.breaker.retryAt, Date.now())), tool);
    return permit;
  }

  private assertOpen(server = "*"): void {
    if (this.closed) throw new McpUnavailableError(server, "closed", "The MCP manager was closed");
  }

  private emit(event: McpEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A faulty listener must not break a call or a restart.
    }
  }
}
