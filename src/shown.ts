/**
 * Text from outside the program (an edited run.json, a problem module's values and errors) as
 * one safe line for a terminal: control characters, line breaks and bidirectional overrides are
 * written as escapes, and long text is cut, so it can neither move the cursor, recolour the
 * screen, nor add lines that look like ours.
 */

// C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides and isolates
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` on one line with its unsafe characters escaped (\n, \u001b), at most `max` characters. */
export function oneLine(text: string, max = 4096): string {
  const safe = text.replace(UNSAFE, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  return safe.length > max ? `${safe.slice(0, max - 3)}...` : safe;
}

/** A value as JSON on one safe line, cut to `max` characters (a 100,000-number y0 is not printed whole). */
export function shownValue(value: unknown, max = 200): string {
  if (value === undefined) return "none";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return oneLine(text, max);
}
