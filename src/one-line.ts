/**
 * Text from elsewhere (a solver command's stderr, a reason a worker gives through Redis) made fit
 * for one line of a terminal, a log or run.json: no escape sequences that recolour or move the
 * cursor, no line breaks, no control characters, bounded length.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and any other two-character ESC sequence
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[ -~]?/g;
// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

export function oneLine(text: string, maxLength = 2000): string {
  const flat = text.replace(ESCAPES, "").replace(/\s*[\r\n]+\s*/g, " | ").replace(CONTROLS, " ").replace(/ {2,}/g, " ").trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 3)}...` : flat;
}
