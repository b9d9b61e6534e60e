import type { SubgraphSpec } from "./types.js";

/** Which outer keys pass into the subgraph (`[outer, inner]`) and which inner keys come back (`[inner, outer]`). */
export interface ResolvedKeys {
  readonly input: ReadonlyArray<readonly [string, string]>;
  readonly output: ReadonlyArray<readonly [string, string]>;
}

/**
 * Resolve a subgraph node's key mapping against both states: by default every key the two states
 * share passes in and back out. Every key named must exist on its side; a mapping that passes
 * nothing either way is a mistake too.
 */
export function subgraphKeys(
  node: string,
  sub: SubgraphSpec,
  outerKeys: readonly string[],
): { keys: ResolvedKeys; problems: string[] } {
  const outer = new Set(outerKeys);
  const inner = new Set(Object.keys(sub.graph.definition.channels));
  const shared = [...outer].filter((k) => inner.has(k));
  const problems: string[] = [];
  const check = (key: string, side: Set<string>, which: "outer" | "inner", direction: string) => {
    if (!side.has(key))
      problems.push(
        `subgraph node "${node}" maps unknown key "${key}" (${direction}): the ${which === "outer" ? "graph's" : `subgraph "${sub.graph.name}"'s`} state has no such key`,
      );
  };
  const pairs = (
    given: SubgraphSpec["input"],
    from: [Set<string>, "outer" | "inner"],
    to: [Set<string>, "outer" | "inner"],
    direction: string,
  ): Array<readonly [string, string]> => {
    const list: Array<readonly [string, string]> =
      given === undefined
        ? shared.map((k) => [k, k] as const)
        : Array.isArray(given)
          ? given.map((k) => [k, k] as const)
          : Object.entries(given);
    for (const [a, b] of list) {
      check(a, from[0], from[1], direction);
      check(b, to[0], to[1], direction);
    }
    return list;
  };
  const keys = {
    input: pairs(sub.input, [outer, "outer"], [inner, "inner"], "input"),
    output: pairs(sub.output, [inner, "inner"], [outer, "outer"], "output"),
  };
  if (problems.length === 0 && keys.input.length === 0 && keys.output.length === 0)
    problems.push(
      `subgraph node "${node}" shares no state keys with subgraph "${sub.graph.name}": name the keys to pass with { input, output }`,
    );
  return { keys, problems };
}
