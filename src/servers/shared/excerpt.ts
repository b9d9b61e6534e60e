/** How much of a caller's text an error message quotes: enough to recognise it, never the whole of a huge one. */
export const EXCERPT_LENGTH = 80;

/**
 * The caller's text, quoted, for an error message: at most `EXCERPT_LENGTH` characters, then "…" and the
 * full length, so an 8 MB argument is not sent back in the error that refuses it.
 */
export function excerpt(text: string): string {
  if (text.length <= EXCERPT_LENGTH) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, EXCERPT_LENGTH)).slice(0, -1)}…" (${text.length} characters)`;
}
