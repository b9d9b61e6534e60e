/**
 * A channel is one key of the state: its default and the reducer that folds updates into it.
 * - `value`: last value wins; two writes in one step are a conflict.
 * - `append`: a list; each update appends one item or a list of items. Checkpoints store only the
 *   appended items.
 * - `reduce`: any reducer `(current, update) => next`; several writes in one step fold in order.
 */
export type ChannelKind = "value" | "append" | "reduce";

export interface Channel<V, U = V> {
  readonly kind: ChannelKind;
  readonly initial: () => V;
  readonly reduce: (current: V, update: U) => V;
}

type Initial<T> = T | (() => T);

function initialOf<T>(initial: Initial<T> | undefined): () => T {
  if (typeof initial === "function") return initial as () => T;
  return () => structuredCloneIfObject(initial as T);
}

/** Defaults given as a literal object or array are copied so runs never share them. */
function structuredCloneIfObject<T>(v: T): T {
  return v !== null && typeof v === "object" ? structuredClone(v) : v;
}

/** Last value wins. Without a default the key starts `undefined`. */
export function value<T>(): Channel<T | undefined, T>;
export function value<T>(initial: Initial<T>): Channel<T, T>;
export function value<T>(initial?: Initial<T>): Channel<T, T> {
  return { kind: "value", initial: initialOf(initial), reduce: (_current, update) => update };
}

/** A list that updates append to: an update is one item or an array of items. */
export function append<T>(): Channel<T[], T | T[]> {
  return {
    kind: "append",
    initial: () => [],
    reduce: (current, update) => current.concat(update),
  };
}

/** Any reducer. Several writes in one step are folded in deterministic order. */
export function reduce<V, U = V>(reducer: (current: V, update: U) => V, initial: Initial<V>): Channel<V, U> {
  return { kind: "reduce", initial: initialOf(initial), reduce: reducer };
}
