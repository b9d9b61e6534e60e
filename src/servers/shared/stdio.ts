import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

/**
 * Serves `server` over stdin/stdout until the client goes away (stdin ends) or a signal arrives, then
 * runs `cleanup` and exits: a server must never outlive its client.
 */
export async function serveStdio(server: McpServer, cleanup: () => void = () => {}): Promise<void> {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void server
      .close()
      .catch(() => undefined)
      .finally(() => {
        try {
          cleanup();
        } finally {
          process.exit(code);
        }
      });
  };
  process.stdin.on("end", () => stop(0));
  process.stdin.on("close", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  process.on("SIGINT", () => stop(0));
  await server.connect(new StdioServerTransport());
}
