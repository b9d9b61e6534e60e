import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "./config-types.js";

/** A client transport plus what the manager needs to know about the process behind it. */
export interface OpenedTransport {
  transport: Transport;
  /** The child's pid for stdio servers once spawned; `null` for HTTP or before/after the process. */
  pid(): number | null;
  /** Ends an HTTP session politely (DELETE) before the transport closes; a no-op for stdio. */
  terminate(): Promise<void>;
}

const STDERR_TAIL_CHARS = 4000;

/**
 * Builds the SDK transport for one server. stderr of a stdio child is captured (not inherited) so server
 * logs do not flood the caller's terminal, and its tail explains a failed start.
 */
export function openTransport(config: McpServerConfig, onStderr: (text: string) => void): OpenedTransport {
  if (config.transport === "http") {
    const transport = new StreamableHTTPClientTransport(new URL(config.url), {
      requestInit: { headers: config.headers },
    });
    const terminate = async () => {
      // A server that is gone or does not support session deletion must not hold up shutdown.
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
      await Promise.race([transport.terminateSession().catch(() => undefined), timeout]);
    };
    return { transport, pid: () => null, terminate };
  }
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: config.env,
    ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer | string) => onStderr(chunk.toString()));
  return { transport, pid: () => transport.pid, terminate: async () => {} };
}

/** Keeps the last few thousand characters of a stream of text. */
export class TextTail {
  private text = "";
  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-STDERR_TAIL_CHARS);
  }
  /** The last `lines` non-empty lines. */
  lines(lines = 10): string {
    return this.text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(-lines)
      .join("\n");
  }
  clear(): void {
    this.text = "";
  }
}
