import type { Migration } from "./migration.js";

/** Threads: runs that continue a conversation, found newest first by their thread. */
export default {
  version: 6,
  name: "threads",
  sql: `
ALTER TABLE runs ADD COLUMN thread text;
CREATE INDEX runs_by_thread ON runs (thread, created_at DESC, seq DESC) WHERE thread IS NOT NULL;
`,
} satisfies Migration;
