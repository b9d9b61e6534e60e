export type * from "./api-types.js";
export type { AppOptions, BatonApp } from "./app.js";
export { createApp } from "./app.js";
export type { RunningServer, ServerOptions } from "./server.js";
export { startServer } from "./server.js";
export type { WorkflowSource } from "./workflows.js";
export { runtimeWorkflows, staticWorkflows } from "./workflows.js";
