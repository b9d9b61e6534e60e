/**
 * The graph layer's public names, imported straight from their modules: the core suites do not
 * load the outer layers (MCP, SQLite) that `src/index.ts` also exports. `public-api.test.ts`
 * checks the package entry point itself.
 */
export { StateGraph } from "../../src/graph/builder.js";
export { append, reduce, value } from "../../src/graph/channels.js";
export { Command, Send } from "../../src/graph/commands.js";
export { END, START } from "../../src/graph/constants.js";
export type { StateOf, UpdateOf } from "../../src/graph/state.js";
export { defineState } from "../../src/graph/state.js";
