import { hostname, userInfo } from "node:os";
import type { Actor } from "../engine/history.js";

/** The person at this terminal, as the run history records them: `user@host`. */
export function cliActor(): Actor {
  let user = process.env.USER ?? "";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep $USER
  }
  return { via: "cli", who: `${user || "unknown"}@${hostname()}` };
}
