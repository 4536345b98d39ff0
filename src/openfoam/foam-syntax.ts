/**
 * Just enough of OpenFOAM's dictionary syntax to find top-level entries without understanding
 * them: comments, strings, verbatim `#{ ... #}` blocks, nesting of (), {} and []. Text is a
 * latin1 decoding of the file's bytes, so string indices are byte offsets (binary fields keep
 * raw bytes in places this scanner is never asked to read).
 */

export type TokenKind = "word" | "string" | "punct" | "verbatim";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const PUNCT = "(){}[];";

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** Position after whitespace and comments from `pos`. */
export function skipSpace(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
    if (text.startsWith("//", pos)) {
      const nl = text.indexOf("\n", pos);
      pos = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith("/*", pos)) {
      const close = text.indexOf("*/", pos + 2);
      if (close < 0) throw new SyntaxError(`unterminated /* comment at byte ${pos}`);
      pos = close + 2;
    } else {
      return pos;
    }
  }
}

/** The token at `pos` (after whitespace and comments), or undefined at the end. */
export function tokenAt(text: string, pos: number): Token | undefined {
  const start = skipSpace(text, pos);
  if (start >= text.length) return undefined;
  const c = text[start]!;
  if (c === '"') {
    let i = start + 1;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) throw new SyntaxError(`unterminated string at byte ${start}`);
    return { kind: "string", text: text.slice(start + 1, i), start, end: i + 1 };
  }
  if (text.startsWith("#{", start)) {
    const close = text.indexOf("#}", start + 2);
    if (close < 0) throw new SyntaxError(`unterminated #{ block at byte ${start}`);
    return { kind: "verbatim", text: text.slice(start + 2, close), start, end: close + 2 };
  }
  if (PUNCT.includes(c)) return { kind: "punct", text: c, start, end: start + 1 };
  let i = start;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (isSpace(ch) || PUNCT.includes(text[i]!) || ch === 34) break;
    if (ch === 47 && (text[i + 1] === "/" || text[i + 1] === "*")) break;
    i++;
  }
  return { kind: "word", text: text.slice(start, i), start, end: i };
}

/** One top-level entry: `keyword value;`, `keyword { ... }` or a `#directive` line. */
export interface Entry {
  readonly keyword: string;
  readonly kind: "value" | "dict" | "directive";
  readonly keyStart: number;
  readonly keyEnd: number;
  /** the value's text is text.slice(valueStart, valueEnd): after the keyword, up to the `;` (excluded) or the closing `}` (included) */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** position after the entry (after its `;`) */
  readonly end: number;
}

const CLOSE: Record<string, string> = { "(": ")", "{": "}", "[": "]" };

/** Skip one balanced value from `pos` up to the `;` at depth 0 or the end of a leading `{...}` block. */
function entryValue(text: string, pos: number, keyword: string): { valueEnd: number; end: number; kind: "value" | "dict" } {
  const stack: string[] = [];
  let first = true;
  for (;;) {
    const t = tokenAt(text, pos);
    if (!t) throw new SyntaxError(`entry \`${keyword}\` has no closing ';'`);
    pos = t.end;
    if (t.kind !== "punct") {
      first = false;
      continue;
    }
    if (t.text in CLOSE) {
      if (first && t.text === "{") {
        // a sub-dictionary: ends at its matching brace, no ';'
        const end = matching(text, t.start, keyword);
        return { valueEnd: end, end, kind: "dict" };
      }
      stack.push(CLOSE[t.text]!);
    } else if (t.text === ";") {
      if (stack.length === 0) return { valueEnd: t.start, end: t.end, kind: "value" };
    } else if (stack.pop() !== t.text) {
      throw new SyntaxError(`unbalanced '${t.text}' in entry \`${keyword}\` at byte ${t.start}`);
    }
    first = false;
  }
}

/** Position after the bracket matching the one at `open`. */
export function matching(text: string, open: number, what: string): number {
  const stack: string[] = [];
  let pos = open;
  for (;;) {
    const t = tokenAt(text, pos);
    if (!t) throw new SyntaxError(`unclosed '${text[open]}' in \`${what}\``);
    pos = t.end;
    if (t.kind !== "punct" || t.text === ";") continue;
    if (t.text in CLOSE) stack.push(CLOSE[t.text]!);
    else if (stack.pop() !== t.text) throw new SyntaxError(`unbalanced '${t.text}' in \`${what}\` at byte ${t.start}`);
    if (stack.length === 0) return pos;
  }
}

/**
 * Top-level entries from `pos`, in order. With `until`, scanning stops before the first entry
 * whose keyword it accepts, which is returned last with only its key positions meaningful
 * (valueStart = keyEnd, valueEnd = end = -1): its value is for the caller to read (e.g. binary data).
 */
export function topLevelEntries(text: string, pos = 0, until?: (keyword: string) => boolean): Entry[] {
  const entries: Entry[] = [];
  for (;;) {
    const key = tokenAt(text, pos);
    if (!key) return entries;
    if (key.kind === "punct") throw new SyntaxError(`unexpected '${key.text}' at byte ${key.start}`);
    if (until?.(key.text)) {
      entries.push({ keyword: key.text, kind: "value", keyStart: key.start, keyEnd: key.end, valueStart: key.end, valueEnd: -1, end: -1 });
      return entries;
    }
    if (key.kind === "word" && key.text.startsWith("#")) {
      // #include "file", #inputMode merge, #remove x, #includeFunc f: one line, no ';'
      const nl = text.indexOf("\n", key.end);
      const end = nl < 0 ? text.length : nl;
      entries.push({ keyword: key.text, kind: "directive", keyStart: key.start, keyEnd: key.end, valueStart: key.end, valueEnd: end, end });
      pos = end;
      continue;
    }
    const v = entryValue(text, key.end, key.text);
    entries.push({ keyword: key.text, kind: v.kind, keyStart: key.start, keyEnd: key.end, valueStart: key.end, valueEnd: v.valueEnd, end: v.end });
    pos = v.end;
  }
}

/** The words of a simple value (`binary`, `volVectorField`, `"LSB;label=32;scalar=64"`), strings unquoted. */
export function valueWords(text: string, entry: Entry): string[] {
  const words: string[] = [];
  let pos = entry.valueStart;
  for (;;) {
    const t = tokenAt(text, pos);
    if (!t || t.start >= entry.valueEnd) return words;
    words.push(t.text);
    pos = t.end;
  }
}
