/**
 * Top-level entries of an OpenFOAM dictionary (controlDict), read and set in the text itself so
 * comments, layout and everything else stay as the user wrote them.
 */
import { topLevelEntries, valueWords } from "./foam-syntax.js";

/** Value of a top-level entry as its words (strings unquoted), from the last occurrence (OpenFOAM's rule), or undefined. */
export function getEntry(text: string, keyword: string): string[] | undefined {
  const entries = topLevelEntries(text).filter((e) => e.keyword === keyword && e.kind === "value");
  const last = entries[entries.length - 1];
  return last && valueWords(text, last);
}

/** One value as a plain word or number: the text written after the keyword, before `;`. */
export type EntryValue = string | number;

function valueText(v: EntryValue): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} into a dictionary`);
  // the shortest text that reads back as the same double
  return Object.is(v, -0) ? "0" : String(v);
}

/**
 * The text with each keyword's value replaced (every top-level occurrence) or, when absent,
 * the entry appended at the end (where it wins over #include'd files read before it).
 */
export function setEntries(text: string, values: Readonly<Record<string, EntryValue>>): string {
  const entries = topLevelEntries(text);
  const edits: { start: number; end: number; text: string }[] = [];
  const missing: string[] = [];
  for (const [keyword, value] of Object.entries(values)) {
    if (!/^[A-Za-z_][\w.:-]*$/.test(keyword)) throw new RangeError(`not a plain dictionary keyword: ${keyword}`);
    const found = entries.filter((e) => e.keyword === keyword);
    const line = valueText(value);
    if (found.length === 0) missing.push(`${keyword.padEnd(15)} ${line};\n`);
    for (const e of found) {
      // keep the whitespace after the keyword; replace a sub-dictionary with a plain value too
      const gap = /^\s*/.exec(text.slice(e.keyEnd, e.keyEnd + 64))![0];
      edits.push({ start: e.keyEnd, end: e.valueEnd, text: `${gap || " "}${line}${e.kind === "dict" ? ";" : ""}` });
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  if (missing.length) out += (out.endsWith("\n") ? "" : "\n") + missing.join("");
  return out;
}
