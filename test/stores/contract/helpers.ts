import type { Store } from "../../../src/engine/store.js";

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

export class CrashError extends Error {
  constructor() {
    super("simulated crash: the store is gone");
  }
}

type Method = "createRun" | "updateRun" | "putTask" | "putCheckpoint" | "putCompensation";
export type CrashRule = (method: Method, arg: unknown) => "before" | "after" | undefined;

/**
 * A store that "dies" like a killed process: once `rule` fires on a write (before or after it
 * lands), every later write is dropped and rejects. Reads still reach the real store, so a test can
 * look at exactly what a crash would have left behind and resume from it with a fresh graph.
 */
export function dyingStore(inner: Store, rule: CrashRule): Store & { readonly dead: boolean } {
  let dead = false;
  const write =
    <A>(method: Method, fn: (arg: A) => Promise<void>) =>
    async (arg: A): Promise<void> => {
      if (dead) throw new CrashError();
      const when = rule(method, arg);
      if (when === "before") {
        dead = true;
        throw new CrashError();
      }
      await fn(arg);
      if (when === "after") dead = true;
    };
  return {
    get dead() {
      return dead;
    },
    local: inner.local,
    async createRun(run) {
      if (dead) throw new CrashError();
      const when = rule("createRun", run);
      if (when === "before") {
        dead = true;
        throw new CrashError();
      }
      const result = await inner.createRun(run);
      if (when === "after") dead = true;
      return result;
    },
    getRun: (id) => inner.getRun(id),
    listRuns: (f) => inner.listRuns(f),
    updateRun: (id, patch) => write("updateRun", (p: typeof patch) => inner.updateRun(id, p))(patch),
    putTask: write("putTask", (r) => inner.putTask(r)),
    listTasks: (id) => inner.listTasks(id),
    putCheckpoint: write("putCheckpoint", (c) => inner.putCheckpoint(c)),
    listCheckpoints: (id) => inner.listCheckpoints(id),
    putCompensation: write("putCompensation", (c) => inner.putCompensation(c)),
    listCompensations: (id) => inner.listCompensations(id),
    close: async () => undefined,
  };
}
