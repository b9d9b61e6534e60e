import { startMcp } from "../../host/runtime.js";
import type { ToolInfo } from "../../mcp/index.js";
import { EXIT, UsageError } from "../exit.js";

/**
 * `baton mcp tools`: start the configured servers and list what each offers. A server that does
 * not start is reported with why, beside the others' tools, and the exit code is then 1.
 */
export async function mcpToolsCommand(options: { config?: string; json?: boolean }): Promise<number> {
  const manager = await startMcp(options.config);
  try {
    const names = manager.status().map((s) => s.name);
    const lists = await Promise.allSettled(names.map((name) => manager.listTools(name)));
    const tools: ToolInfo[] = [];
    const failed: Array<{ server: string; error: string }> = [];
    lists.forEach((list, i) => {
      if (list.status === "fulfilled") tools.push(...list.value);
      else failed.push({ server: names[i]!, error: (list.reason as Error).message });
    });
    if (options.json) process.stdout.write(`${JSON.stringify(tools)}\n`);
    else {
      if (tools.length === 0 && failed.length === 0)
        throw new UsageError("No MCP server is configured; check the configuration");
      let server = "";
      for (const t of tools) {
        if (t.server !== server) process.stdout.write(`${t.server}\n`);
        server = t.server;
        process.stdout.write(`  ${t.name.padEnd(24)} ${(t.description ?? "").split("\n")[0]}\n`);
      }
    }
    for (const f of failed) process.stderr.write(`baton: ${f.error}\n`);
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await manager.close();
  }
}
