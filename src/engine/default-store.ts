import type { Store } from "./store.js";

/**
 * The store `compile()` uses when given none. The core cannot open files, so the package entry
 * point registers the SQLite default here; until then, compiling without a store is an error.
 */
let provider: (() => Store) | undefined;
let opened: Store | undefined;

export function setDefaultStoreProvider(open: () => Store): void {
  provider = open;
  opened = undefined;
}

export function defaultStore(): Store | undefined {
  if (!opened && provider) opened = provider();
  return opened;
}
