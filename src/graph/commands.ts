/**
 * `Send` starts a task of `node` with its own input (map-style fan-out); `ctx.input` carries it.
 * `Command` lets a node update the state and choose where to go next in one return value.
 */
export class Send<T = unknown> {
  readonly node: string;
  readonly input: T;
  constructor(node: string, input: T) {
    this.node = node;
    this.input = input;
  }
}

export type Goto = string | Send | ReadonlyArray<string | Send>;

export class Command<U = Record<string, unknown>> {
  readonly update?: U;
  readonly goto: ReadonlyArray<string | Send>;
  constructor(options: { update?: U; goto?: Goto }) {
    if (options.update !== undefined) this.update = options.update;
    const goto = options.goto ?? [];
    this.goto = typeof goto === "string" || goto instanceof Send ? [goto] : goto;
  }
}
