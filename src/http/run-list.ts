import type { RunSearch, RunSearchPage } from "../engine/run-search.js";
import { searchRecords } from "../engine/run-search.js";
import type { Store } from "../engine/store.js";
import { crashOf } from "../stores/liveness.js";
import type { RunList } from "./api-types.js";

/** A store without `searchRuns` (a wrapper, a test double) is searched over this many of its runs. */
const FALLBACK_RUNS = 100_000;

/** The runs list the dashboard pages through: the store's search, with crashed runs marked. */
export async function runList(store: Store, search: RunSearch): Promise<RunList> {
  const page: RunSearchPage = store.searchRuns
    ? await store.searchRuns(search)
    : searchRecords(await store.listRuns({ limit: FALLBACK_RUNS }), search);
  return {
    runs: page.runs,
    crashed: page.runs.filter((r) => crashOf(r)).map((r) => r.id),
    total: page.total,
    counts: page.counts,
    offset: search.offset ?? 0,
    limit: search.limit ?? 50,
  };
}
