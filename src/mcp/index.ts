/** The MCP layer's public API (re-exported from `src/index.ts`). */

export type { BundledServerName, BundledServerOptions } from "./bundled.js";
export { bundledServerNames, bundledServers, SAMPLE_DATA_DIR } from "./bundled.js";
export type { CircuitPermit, CircuitState } from "./circuit-breaker.js";
export { CircuitBreaker } from "./circuit-breaker.js";
export type { LoadOptions, McpServerEntry, ParseOptions } from "./config.js";
export { CONFIG_FILE_NAME, DEFAULT_SERVER_SETTINGS, loadMcpConfig, parseMcpConfig } from "./config.js";
export type {
  CircuitSettings,
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  RetrySettings,
  StdioServerConfig,
} from "./config-types.js";
export type { RawToolResult } from "./decode.js";
export { decodeToolResult } from "./decode.js";
export type { McpUnavailableReason } from "./errors.js";
export {
  CircuitOpenError,
  McpConfigError,
  McpTimeoutError,
  McpUnavailableError,
  ToolError,
} from "./errors.js";
export { McpManager } from "./manager.js";
export type { NodeToolCallOptions, NodeTools, ToolCallContext, ToolOutcome } from "./node-helper.js";
export { callTool, mcpTools } from "./node-helper.js";
export type {
  CallToolOptions,
  ConnectionState,
  HealthReport,
  McpEvent,
  McpManagerOptions,
  ServerStartResult,
  ServerStatus,
  ToolInfo,
  ToolInvoker,
} from "./types.js";
export { IDEMPOTENCY_META_KEY } from "./types.js";
