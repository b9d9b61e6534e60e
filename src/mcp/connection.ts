import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpServerConfig } from "./config-types.js";
import { McpUnavailableError } from "./errors.js";
import { ensureExited } from "./process-exit.js";
import { type OpenedTransport, openTransport, TextTail } from "./transport.js";
import type { ConnectionState, McpEvent, ToolInfo } from "./types.js";

type Emit = (event: McpEvent) => void;

/**
 * One server's live connection: a fresh SDK `Client` per (re)start, so a restart never inherits a broken
 * protocol state. Starting is single-flight: concurrent callers share one start.
 */
export class ServerConnection {
  private client: Client | undefined;
  private opened: OpenedTransport | undefined;
  private starting: Promise<Client> | undefined;
  /** Bumped on every start and close, so callbacks of an old client cannot touch the new one. */
  private generation = 0;
  private starts = 0;
  private startedPid: number | null = null;
  private readonly stderr = new TextTail();
  state: ConnectionState = "idle";
  tools: ToolInfo[] = [];
  lastError: Error | undefined;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly clientInfo: { name: string; version: string },
    private readonly emit: Emit,
  ) {}

  get pid(): number | null {
    return this.state === "ready" || this.state === "starting" ? (this.opened?.pid() ?? null) : null;
  }

  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  /** The connected client, starting (or restarting) the server first when it is not running. */
  ensureStarted(): Promise<Client> {
    if (this.state === "closed") {
      return Promise.reject(
        new McpUnavailableError(this.name, "closed", `MCP server "${this.name}" was shut down`),
      );
    }
    if (this.state === "ready" && this.client !== undefined) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<Client> {
    const generation = ++this.generation;
    this.state = "starting";
    this.stderr.clear();
    const client = new Client(this.clientInfo, { capabilities: {} });
    const opened = openTransport(this.config, (text) => {
      this.stderr.append(text);
      this.emit({ type: "stderr", server: this.name, text });
    });
    this.client = client;
    this.opened = opened;
    client.onclose = () => this.onClosed(generation);
    try {
      await client.connect(opened.transport, { timeout: this.config.startTimeoutMs });
      this.tools = await this.fetchTools(client, this.config.startTimeoutMs);
    } catch (error) {
      await client.close().catch(() => undefined);
      if (generation !== this.generation) throw this.closedError();
      const failure = this.startError(error);
      this.state = "dead";
      this.lastError = failure;
      this.emit({ type: "server_start_failed", server: this.name, error: failure });
      throw failure;
    }
    if (generation !== this.generation) {
      // close() ran while we were starting: do not leave the new process behind.
      await client.close().catch(() => undefined);
      throw this.closedError();
    }
    this.state = "ready";
    this.starts += 1;
    this.startedPid = opened.pid();
    this.emit({ type: "server_started", server: this.name, pid: this.startedPid, restart: this.starts > 1 });
    return client;
  }

  private onClosed(generation: number): void {
    if (generation !== this.generation || this.state !== "ready") return;
    this.state = "dead";
    this.lastError = new McpUnavailableError(this.name, "connection_closed", this.describeExit());
    this.emit({ type: "server_exited", server: this.name, pid: this.startedPid });
  }

  private describeExit(): string {
    const tail = this.stderr.lines(5);
    return `MCP server "${this.name}" closed the connection${tail === "" ? "" : `; its last output:\n${tail}`}`;
  }

  private startError(error: unknown): McpUnavailableError {
    const tail = this.stderr.lines(10);
    const reason = error instanceof Error ? error.message : String(error);
    const message = `MCP server "${this.name}" did not start: ${reason}${tail === "" ? "" : `\n${tail}`}`;
    return new McpUnavailableError(this.name, "start_failed", message, { cause: error });
  }

  private closedError(): McpUnavailableError {
    return new McpUnavailableError(this.name, "closed", `MCP server "${this.name}" was shut down`);
  }

  /** Lists tools (following pagination). */
  async fetchTools(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<ToolInfo[]> {
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      for (const tool of page.tools) {
        tools.push({
          server: this.name,
          name: tool.name,
          ...(tool.title === undefined ? {} : { title: tool.title }),
          ...(tool.description === undefined ? {} : { description: tool.description }),
          inputSchema: tool.inputSchema as Record<string, unknown>,
          ...(tool.outputSchema === undefined
            ? {}
            : { outputSchema: tool.outputSchema as Record<string, unknown> }),
        });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /** A liveness probe: the process is up and answers `ping` in time. */
  async ping(timeoutMs: number): Promise<void> {
    if (this.state !== "ready" || this.client === undefined) {
      throw (
        this.lastError ??
        new McpUnavailableError(this.name, "connection_closed", `MCP server "${this.name}" is not running`)
      );
    }
    await this.client.ping({ timeout: timeoutMs });
  }

  /** Drops a connection that misbehaved (failed ping, transport error) so the next use starts afresh. */
  async reset(reason: Error): Promise<void> {
    if (this.state !== "ready" && this.state !== "dead") return;
    this.lastError = reason;
    await this.shutdown("dead");
  }

  /** Stops the server for good; resolves once a stdio child has exited. */
  async close(): Promise<void> {
    await this.shutdown("closed");
  }

  private async shutdown(next: "dead" | "closed"): Promise<void> {
    const { client, opened } = this;
    const pid = opened?.pid() ?? null;
    this.generation += 1;
    this.state = next;
    this.client = undefined;
    if (client === undefined) return;
    await opened?.terminate();
    await client.close().catch(() => undefined);
    if (pid !== null) await ensureExited(pid);
  }
}
