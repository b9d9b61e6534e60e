import { registerActive } from "../../../src/engine/active-runs.js";
import type { Store } from "../../../src/engine/store.js";
import { scheduleMethods } from "../../../src/schedules/pass-through.js";

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Poll `check` until it holds (or fail after `timeoutMs`). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const uid = (prefix = "run") => `${prefix}-${globalThis.crypto.randomUUID()}`;

type Method =
  | "createRun"
  | "updateRun"
  | "putTask"
  | "putCheckpoint"
  | "putCompensation"
  | "appendHistory"
  | "acquireRun";
export type CrashRule = (method: Method, arg: unknown) => "before" | "after" | undefined;

/** A write that never returns: the process that made it is gone. */
const never = <T>() => new Promise<T>(() => undefined);

/**
 * A store that "dies" like a killed process: when `rule` fires on a write, that write is dropped
 * (`before`) or lands (`after`), and then neither it nor any later write ever returns, so the run
 * stops right there, exactly as a SIGKILL would stop it. Reads still reach the real store, so the
 * test sees what the crash left behind and resumes it with a fresh graph (after `forgetRun`).
 */
export function dyingStore(
  inner: Store,
  rule: CrashRule,
): Store & { readonly dead: boolean; bury(runId: string): Promise<void> } {
  let dead = false;
  const write =
    <A, R>(method: Method, fn: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      if (dead) return never();
      const when = rule(method, arg);
      if (when === "before") {
        dead = true;
        return never();
      }
      const result = await fn(arg);
      if (when === "after") {
        dead = true;
        return never();
      }
      return result;
    };
  return {
    get dead() {
      return dead;
    },
    /** What the operating system does for a killed process: its hold on the run goes with it. */
    async bury(runId: string) {
      const owner = (await inner.getRun(runId))?.owner;
      if (owner) await inner.releaseRun(owner.id, runId);
    },
    local: inner.local,
    acquireRun: (id, owner, replace) =>
      write("acquireRun", (o: typeof owner) => inner.acquireRun(id, o, replace))(owner),
    heartbeat: (owner, ids, ms) => (dead ? never() : inner.heartbeat(owner, ids, ms)),
    releaseRun: (owner, id) => (dead ? never() : inner.releaseRun(owner, id)),
    appendHistory: write("appendHistory", (e: Parameters<Store["appendHistory"]>[0]) =>
      inner.appendHistory(e),
    ),
    listHistory: (id, page) => inner.listHistory(id, page),
    createRun: write("createRun", (run: Parameters<Store["createRun"]>[0]) => inner.createRun(run)),
    getRun: (id) => inner.getRun(id),
    listRuns: (f) => inner.listRuns(f),
    updateRun: (id, patch) => write("updateRun", (p: typeof patch) => inner.updateRun(id, p))(patch),
    putTask: (record, history) => write("putTask", (r: typeof record) => inner.putTask(r, history))(record),
    listTasks: (id) => inner.listTasks(id),
    putCheckpoint: write("putCheckpoint", (c: Parameters<Store["putCheckpoint"]>[0]) =>
      inner.putCheckpoint(c),
    ),
    listCheckpoints: (id) => inner.listCheckpoints(id),
    putCompensation: write("putCompensation", (c: Parameters<Store["putCompensation"]>[0]) =>
      inner.putCompensation(c),
    ),
    listCompensations: (id) => inner.listCompensations(id),
    listDue: (now, f) => inner.listDue(now, f),
    sendEvent: (e) => (dead ? never() : inner.sendEvent(e)),
    takeEvent: (id, name, consumer, timedOut) =>
      dead ? never() : inner.takeEvent(id, name, consumer, timedOut),
    ...scheduleMethods(inner),
    close: async () => undefined,
  };
}

/**
 * Wait for the simulated crash, then drop the dead run from this process's registry of running
 * runs (a real crash takes the registry with it), so it can be resumed here.
 */
export async function crashed(
  store: { readonly dead: boolean; bury(runId: string): Promise<void> },
  runId: string,
): Promise<void> {
  await until(() => store.dead);
  await store.bury(runId);
  registerActive(runId, new AbortController())();
}
