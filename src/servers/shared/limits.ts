import { z } from "zod";

/**
 * The longest string value a bundled tool accepts: 65,536 characters (64 Ki UTF-16 code units). Tool
 * arguments are names, filters and row values; anything larger is a mistake or an attack, and a size
 * limit keeps it out of memory, the database and the log.
 */
export const MAX_STRING_LENGTH = 65_536;

/** A string argument within `MAX_STRING_LENGTH`. */
export const boundedString = () =>
  z.string().max(MAX_STRING_LENGTH, `must be at most ${MAX_STRING_LENGTH} characters`);
