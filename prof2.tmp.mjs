import Database from "better-sqlite3";
for (const page of [4096, 1024]) for (const lock of ["NORMAL"]) {
  const path = `/tmp/scratch/raw-${page}-${Date.now()}.db`;
  const db = new Database(path);
  db.pragma(`page_size = ${page}`);
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE t (a TEXT, b INTEGER, c TEXT, d TEXT, PRIMARY KEY (a, b, c)) WITHOUT ROWID; CREATE TABLE r (id TEXT PRIMARY KEY, step INTEGER, u INTEGER)");
  db.prepare("INSERT INTO r VALUES ('x', 0, 0)").run();
  const ins = db.prepare("INSERT OR REPLACE INTO t VALUES (?, ?, ?, ?)");
  const up = db.prepare("UPDATE r SET step = ?, u = ? WHERE id = 'x'");
  const tx = db.transaction((i) => { ins.run("run-" + "x".repeat(30), i, "cp", '[{"id":"a","node":"a"}]'); up.run(i, Date.now()); });
  let t0 = performance.now();
  for (let i = 0; i < 5000; i++) ins.run("run-" + "x".repeat(30), i, "a", '{"writes":[["n",1]]}');
  const single = (performance.now() - t0) / 5;
  t0 = performance.now();
  for (let i = 5000; i < 10000; i++) tx.immediate(i);
  const two = (performance.now() - t0) / 5;
  t0 = performance.now();
  for (let i = 10000; i < 15000; i++) tx.deferred(i);
  const twoDeferred = (performance.now() - t0) / 5;
  t0 = performance.now();
  db.transaction(() => { for (let i = 15000; i < 20000; i++) ins.run("run-" + "x".repeat(30), i, "a", '{"writes":[["n",1]]}'); })();
  const batched = (performance.now() - t0) / 5;
  console.log({ page, single, two, twoDeferred, batched });
  db.close();
}
