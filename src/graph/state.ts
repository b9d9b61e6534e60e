import type { ZodType } from "zod";
import type { Channel } from "./channels.js";

// biome-ignore lint/suspicious/noExplicitAny: a channel map holds channels of any value type.
export type AnyChannel = Channel<any, any>;
export type ChannelMap = Record<string, AnyChannel>;

/** The state a node reads: each key's current value. */
export type StateOf<C extends ChannelMap> = {
  [K in keyof C]: C[K] extends Channel<infer V, infer _U> ? V : never;
};

/** What a node may return: any subset of keys, each with its channel's update type. */
export type UpdateOf<C extends ChannelMap> = {
  [K in keyof C]?: C[K] extends Channel<infer _V, infer U> ? U : never;
};

export interface StateDefinition<C extends ChannelMap = ChannelMap> {
  readonly channels: C;
  /** Validates run input (an update) before anything is stored. */
  readonly schema?: ZodType;
}

/**
 * Declare the state of a graph: one channel per key.
 *
 * @example
 * const State = defineState({ count: value(0), log: append<string>() });
 */
export function defineState<C extends ChannelMap>(
  channels: C,
  options: { schema?: ZodType } = {},
): StateDefinition<C> {
  return options.schema ? { channels, schema: options.schema } : { channels };
}

export function initialState<C extends ChannelMap>(definition: StateDefinition<C>): StateOf<C> {
  const state: Record<string, unknown> = {};
  for (const [key, channel] of Object.entries(definition.channels)) state[key] = channel.initial();
  return state as StateOf<C>;
}
