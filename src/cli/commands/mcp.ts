import { UsageError } from "../exit.js";
import { startMcp } from "../runtime.js";

/** `baton mcp tools`: start the configured servers and list what each offers. */
export async function mcpToolsCommand(options: { config?: string; json?: boolean }): Promise<number> {
  const manager = await startMcp(options.config);
  try {
    const tools = await manager.listTools();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(tools)}\n`);
      return 0;
    }
    if (tools.length === 0) throw new UsageError("No MCP server answered; check the configuration");
    let server = "";
    for (const t of tools) {
      if (t.server !== server) process.stdout.write(`${t.server}\n`);
      server = t.server;
      process.stdout.write(`  ${t.name.padEnd(24)} ${(t.description ?? "").split("\n")[0]}\n`);
    }
    return 0;
  } finally {
    await manager.close();
  }
}
