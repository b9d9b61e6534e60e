import type { Store } from "./store.js";

/**
 * Workflows by name, per store, for `ctx.runChild("name", …)`: every graph compiled with a store
 * and a name is found here, and a process that loads workflows on demand (a worker, the command
 * line) adds a resolver for the names it has not loaded yet.
 */
const named = new WeakMap<Store, Map<string, object>>();
const resolvers = new WeakMap<Store, (name: string) => Promise<object | undefined>>();

export function registerWorkflow(store: Store, name: string, graph: object): void {
  const byName = named.get(store) ?? new Map<string, object>();
  named.set(store, byName.set(name, graph));
}

/** Let `findWorkflow` load workflows of this store it does not know yet (`undefined`: no such workflow). */
export function provideWorkflows(store: Store, resolve: (name: string) => Promise<object | undefined>): void {
  resolvers.set(store, resolve);
}

/** The graph compiled with this store under this name, if one was (no loading). */
export const knownWorkflow = (store: Store, name: string): object | undefined => named.get(store)?.get(name);

/** The graph compiled with this store under this name, loading it if a resolver can; else undefined. */
export async function findWorkflow(store: Store, name: string): Promise<object | undefined> {
  const known = named.get(store)?.get(name);
  if (known) return known;
  const resolve = resolvers.get(store);
  if (!resolve) return undefined;
  const loaded = await resolve(name).catch(() => undefined);
  return loaded ?? named.get(store)?.get(name);
}
