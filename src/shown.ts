/**
 * Text from outside the program as one safe line for a terminal, a log or run.json, so it can
 * neither move the cursor, recolour the screen, nor add lines that look like ours: values we quote
 * (an edited run.json, a problem module's values and errors) with their control characters written
 * as escapes; other programs' output with its escape sequences removed. Long text is cut.
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

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and any other two-character ESC sequence
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[ -~]?/g;
// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Output of other programs (a solver command's stderr, a reason a worker gives through Redis) made
 * fit for one line of a terminal, a log or run.json: escape sequences that recolour or move the
 * cursor and control characters removed (they are formatting, not content), line breaks as ` | `,
 * bounded length.
 */
export function strippedLine(text: string, maxLength = 2000): string {
  const flat = text.replace(ESCAPES, "").replace(/\s*[\r\n]+\s*/g, " | ").replace(CONTROLS, " ").replace(/ {2,}/g, " ").trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 3)}...` : flat;
}
