import type { Engine } from "../engine/loop.js";
import { stateAt, tasksByStep } from "../engine/replay.js";
import type { Store } from "../engine/store.js";

/**
 * The state each step's tasks read — the state after the step before — rebuilt from the stored
 * task records the way `resume` rebuilds it (`stateAt`). A committed step never changes, so a
 * worker running many tasks of one step rebuilds it once: entries are shared, and the last `size`
 * steps are kept.
 */
export class StepStates {
  private readonly cache = new Map<string, Promise<Readonly<Record<string, unknown>>>>();

  constructor(
    private readonly store: Pick<Store, "listTasks">,
    private readonly size = 64,
  ) {}

  before(engine: Engine, runId: string, step: number): Promise<Readonly<Record<string, unknown>>> {
    const key = `${runId}\0${step}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const state = this.store
      .listTasks(runId)
      .then((records) => stateAt(engine.definition, tasksByStep(records), step - 1));
    state.catch(() => this.cache.delete(key));
    this.cache.set(key, state);
    if (this.cache.size > this.size) this.cache.delete(this.cache.keys().next().value!);
    return state;
  }
}
