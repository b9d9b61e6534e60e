import type { RunRecord } from "../engine/records.js";
import { ownerGone } from "../stores/liveness.js";

/**
 * What `baton runs` and `baton show` say about who drives an unfinished run: nothing for a run
 * that waits for nobody, "crashed" with since when and how to recover it when its owner is gone.
 */
export function ownerNote(run: RunRecord): { crashed: boolean; text: string } | undefined {
  if (run.status !== "running" && run.status !== "compensating") return undefined;
  const why = ownerGone(run.owner);
  if (!why) {
    const o = run.owner!;
    return { crashed: false, text: `driven by pid ${o.pid} on ${o.host} since ${iso(o.since)}` };
  }
  const since = run.owner ? iso(Math.min(run.owner.expiresAt, Date.now())) : iso(run.updatedAt);
  return {
    crashed: true,
    text: `crashed: owner gone since ${since} (${why}); recover with: npx baton recover (or npx baton resume ${run.id})`,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
