import type { Migration } from "./migration.js";

/** Child runs: the parent's task that started a run (a subgraph node, `ctx.runChild`), and how. */
export default {
  version: 8,
  name: "child-runs",
  sql: `
ALTER TABLE runs ADD COLUMN parent_task text;
ALTER TABLE runs ADD COLUMN parent_kind text CHECK (parent_kind IN ('subgraph', 'child'));
`,
} satisfies Migration;
