import type { McpServerConfig } from "./config-types.js";
import { ToolError } from "./errors.js";
import type { ToolInfo } from "./types.js";

/**
 * A server's `tools.allow` list, enforced on the client side: a server that cannot restrict itself (the
 * official filesystem server has no read-only switch) is offered only the tools the configuration names.
 * Tools not on the list are not listed, and a call to one is refused before it is sent.
 */
export function allowedTools(config: McpServerConfig, tools: ToolInfo[]): ToolInfo[] {
  const allow = config.tools?.allow;
  return allow === undefined ? tools : tools.filter((tool) => allow.includes(tool.name));
}

export function assertToolAllowed(server: string, tool: string, config: McpServerConfig): void {
  const allow = config.tools?.allow;
  if (allow === undefined || allow.includes(tool)) return;
  throw new ToolError(
    server,
    tool,
    `not allowed by this server's configuration (tools.allow: ${allow.join(", ") || "none"})`,
  );
}
