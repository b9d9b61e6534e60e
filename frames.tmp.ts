import { statSync } from "node:fs";
import { openSqliteStore } from "./src/stores/sqlite/index.js";
const path = `/tmp/scratch/fr-${Date.now()}.db`;
const sq = openSqliteStore(path);
sq.db.pragma("wal_autocheckpoint = 0");
const wal = () => { try { return statSync(path + "-wal").size; } catch { return 0; } };
const frames = async (label: string, n: number, fn: (i: number) => Promise<unknown>) => {
  const before = wal();
  for (let i = 0; i < n; i++) await fn(i);
  console.log(label.padEnd(16), ((wal() - before) / 1048 / n).toFixed(2), "frames/op");
};
const ids: string[] = [];
for (let r = 0; r < 3000; r++) { const id = crypto.randomUUID(); ids.push(id); await sq.createRun({ id, graph: "g", graphHash: "h", status: "running", input: {} }); for (let s = 0; s < 5; s++) await sq.putTask({ runId: id, step: s, taskId: "t", node: "t", status: "succeeded", attempts: 1, seq: s, startedAt: 1, finishedAt: 1, writes: [["items", s]] }); }
await frames("createRun", 200, async () => { const id = crypto.randomUUID(); ids.push(id); await sq.createRun({ id, graph: "g", graphHash: "h", status: "running", input: {} }); });
await frames("putTask", 200, (i) => sq.putTask({ runId: ids[3000 + i]!, step: 1, taskId: "b0", node: "b0", status: "succeeded", attempts: 1, seq: 1, startedAt: 1, finishedAt: 1, writes: [["items", 1]] }));
await frames("putCheckpoint", 200, (i) => sq.putCheckpoint({ runId: ids[3000 + i]!, step: 1, next: [{ id: "agg", node: "agg" }], joins: {}, createdAt: 1 }));
await frames("updateRun", 200, (i) => sq.updateRun(ids[3000 + i]!, { status: "completed", clear: ["error", "interrupts", "cancelRequested"] }));
