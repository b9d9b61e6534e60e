import type { RunRecord } from "../engine/records.js";
import { crashOf } from "../stores/liveness.js";

/**
 * What `baton runs` and `baton show` say about who drives an unfinished run: nothing for a run
 * that waits for nobody, "crashed" with since when and how to recover it when its owner is gone.
 */
export function ownerNote(run: RunRecord): { crashed: boolean; text: string } | undefined {
  if (run.status !== "running" && run.status !== "compensating") return undefined;
  const crash = crashOf(run);
  if (!crash) {
    const o = run.owner!;
    return { crashed: false, text: `driven by pid ${o.pid} on ${o.host} since ${iso(o.since)}` };
  }
  return {
    crashed: true,
    text: `crashed: owner gone since ${iso(crash.since)} (${crash.why}); recover with: npx baton recover (or npx baton resume ${run.id})`,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
