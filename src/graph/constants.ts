/** The virtual node every graph starts from. */
export const START = "__start__";
/** The virtual node a path ends at. */
export const END = "__end__";

export const RESERVED_NAMES: ReadonlySet<string> = new Set([START, END]);
