/** Child runs: the parent's task that started a run (a subgraph node, `ctx.runChild`), and how. */
export default /* sql */ `
ALTER TABLE runs ADD COLUMN parent_task TEXT;
ALTER TABLE runs ADD COLUMN parent_kind TEXT;
`;
