/** The MCP layer's public API (re-exported from `src/index.ts`). */
export { McpManager } from "./manager.js";
export { loadMcpConfig, parseMcpConfig, CONFIG_FILE_NAME, DEFAULT_SERVER_SETTINGS } from "./config.js";
export type { McpServerEntry, ParseOptions, LoadOptions } from "./config.js";
export type {
  CircuitSettings,
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  RetrySettings,
  StdioServerConfig,
} from "./config-types.js";
export { bundledServers, bundledServerNames, SAMPLE_DATA_DIR } from "./bundled.js";
export type { BundledServerName, BundledServerOptions } from "./bundled.js";
export { CircuitBreaker } from "./circuit-breaker.js";
export type { CircuitPermit, CircuitState } from "./circuit-breaker.js";
export { decodeToolResult } from "./decode.js";
export type { RawToolResult } from "./decode.js";
export { ToolError, McpUnavailableError, McpTimeoutError, CircuitOpenError, McpConfigError } from "./errors.js";
export type { McpUnavailableReason } from "./errors.js";
export { callTool, mcpTools } from "./node-helper.js";
export type { NodeTools, NodeToolCallOptions, ToolCallContext, ToolOutcome } from "./node-helper.js";
export { IDEMPOTENCY_META_KEY } from "./types.js";
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
