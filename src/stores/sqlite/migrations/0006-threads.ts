/** Threads: runs that continue a conversation, found newest first by their thread. */
export default /* sql */ `
ALTER TABLE runs ADD COLUMN thread TEXT;
CREATE INDEX runs_by_thread ON runs (thread, key) WHERE thread IS NOT NULL;
`;
