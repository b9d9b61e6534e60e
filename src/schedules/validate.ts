import { BatonError } from "../errors.js";
import { MAX_CATCH_UP, OVERLAP_POLICIES, type OverlapPolicy } from "./schedule.js";

/** Schedule names start run ids (`<name>:<tick>`) and URL paths: plain characters, no `:`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const invalid = (message: string) => new BatonError("SCHEDULE_INVALID", message);

export function checkScheduleName(name: string): void {
  if (!NAME.test(name))
    throw invalid(
      `Bad schedule name "${name}": use 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
}

export function checkOverlap(overlap: string): OverlapPolicy {
  if ((OVERLAP_POLICIES as readonly string[]).includes(overlap)) return overlap as OverlapPolicy;
  throw invalid(`Bad overlap policy "${overlap}": use ${OVERLAP_POLICIES.map((p) => `"${p}"`).join(" or ")}`);
}

export function checkCatchUp(catchUp: number): number {
  if (Number.isInteger(catchUp) && catchUp >= 0 && catchUp <= MAX_CATCH_UP) return catchUp;
  throw invalid(`Bad catch-up "${catchUp}": give a whole number of missed ticks from 0 to ${MAX_CATCH_UP}`);
}
