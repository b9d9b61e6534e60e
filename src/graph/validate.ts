import { GraphValidationError } from "../errors.js";
import { END, RESERVED_NAMES, START } from "./constants.js";
import type { StateDefinition } from "./state.js";
import { subgraphKeys } from "./subgraph-keys.js";
import { isKnownSource, isKnownTarget, reachable, reachingEnd, successors } from "./topology.js";
import type { GraphSpec } from "./types.js";

/** Every problem that would make the graph fail or misbehave at run time, each naming its offender. */
export function graphProblems(spec: GraphSpec, definition: StateDefinition): string[] {
  const problems: string[] = [];
  for (const name of new Set(spec.duplicateNodes)) problems.push(`duplicate node name "${name}"`);
  for (const name of spec.nodes.keys()) {
    if (RESERVED_NAMES.has(name)) problems.push(`node name "${name}" is reserved`);
    // ":" separates idempotency-key parts and "#" marks a Send's task id (`node#i`).
    else if (name.length === 0 || name.includes(":") || name.includes("#"))
      problems.push(`node name "${name}" must be non-empty without ":" or "#"`);
  }
  if (spec.nodes.size === 0) problems.push("the graph has no nodes");
  problems.push(...edgeProblems(spec), ...optionProblems(spec, definition));
  if (problems.length === 0) problems.push(...reachabilityProblems(spec));
  return problems;
}

export function validateGraph(spec: GraphSpec, definition: StateDefinition): void {
  const problems = graphProblems(spec, definition);
  if (problems.length > 0) throw new GraphValidationError(problems);
}

function edgeProblems(spec: GraphSpec): string[] {
  const problems: string[] = [];
  for (const { from, to } of spec.edges) {
    const label =
      from.length > 1 ? `join edge [${from.join(", ")}] -> "${to}"` : `edge "${from[0]}" -> "${to}"`;
    for (const source of from) {
      if (source === END) problems.push(`${label} starts at END`);
      else if (!isKnownSource(spec, source)) problems.push(`${label} names unknown node "${source}"`);
      if (from.length > 1 && source === START) problems.push(`${label} cannot join on START`);
    }
    if (to === START) problems.push(`${label} goes to START`);
    else if (!isKnownTarget(spec, to)) problems.push(`${label} names unknown node "${to}"`);
    if (from.length > 1 && new Set(from).size !== from.length) problems.push(`${label} lists a node twice`);
  }
  for (const { from, pathMap } of spec.branches) {
    if (!isKnownSource(spec, from) || from === END)
      problems.push(`conditional edge from unknown node "${from}"`);
    for (const [key, to] of Object.entries(pathMap ?? {})) {
      if (!isKnownTarget(spec, to))
        problems.push(`path map of "${from}" maps "${key}" to unknown node "${to}"`);
    }
  }
  for (const node of spec.nodes.values()) {
    for (const to of node.options.ends ?? []) {
      if (!isKnownTarget(spec, to)) problems.push(`node "${node.name}" lists unknown node "${to}" in ends`);
    }
  }
  return problems;
}

function optionProblems(spec: GraphSpec, definition: StateDefinition): string[] {
  const problems: string[] = [];
  const errorChannel = spec.errorKey === undefined ? undefined : definition.channels[spec.errorKey];
  if (spec.errorKey !== undefined && !errorChannel)
    problems.push(`errorKey "${spec.errorKey}" is not a state key`);
  else if (errorChannel && errorChannel.kind !== "append") {
    problems.push(`errorKey "${spec.errorKey}" must be an append channel`);
  }
  for (const node of spec.nodes.values()) {
    const { onError, timeout, retry } = node.options;
    if (onError === "continue" && spec.errorKey === undefined) {
      problems.push(`node "${node.name}" has onError "continue" but the graph names no errorKey`);
    }
    if (timeout !== undefined && !(timeout > 0))
      problems.push(`node "${node.name}" has a timeout that is not > 0`);
    if (retry && !(Number.isInteger(retry.attempts) && retry.attempts >= 1)) {
      problems.push(`node "${node.name}" has retry.attempts that is not an integer >= 1`);
    }
    if (node.subgraph) problems.push(...subgraphKeys(node.name, node.subgraph, spec.channels).problems);
  }
  return problems;
}

function reachabilityProblems(spec: GraphSpec): string[] {
  const problems: string[] = [];
  const topology = successors(spec);
  if (!topology.next.has(START) && !topology.open.has(START)) problems.push("no edge leaves START");
  const fromStart = reachable(spec, topology, START);
  const toEnd = reachingEnd(topology);
  for (const name of spec.nodes.keys()) {
    if (!fromStart.has(name)) problems.push(`node "${name}" is unreachable from START`);
    else if (!toEnd.has(name)) problems.push(`node "${name}" has no path to END`);
  }
  return problems;
}
