/**
 * A black-box solver's command template: the placeholders it may name, its check and its
 * expansion. Plain text work, apart from command.ts, so that the CLI can check a template while
 * parsing options without loading what runs programs.
 */
/** What a template may name; the rest of it is passed to /bin/sh as written. */
export const PLACEHOLDERS = ["in", "out", "t0", "t1", "iter", "h"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** Why a template cannot work, or undefined: every `{name}` known, and `{in}`, `{out}` present. */
export function templateProblem(template: string): string | undefined {
  for (const [, name] of template.matchAll(/\{([^{}\s]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name!)) return `unknown placeholder {${name}} (allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`;
  }
  for (const needed of ["{in}", "{out}"]) if (!template.includes(needed)) return `the template must contain ${needed}`;
  return undefined;
}

/** POSIX shell quoting: one word, whatever the path holds. */
function quote(text: string): string {
  return /^[\w./:=+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

export function expandTemplate(template: string, values: Readonly<Record<Placeholder, string | number>>): string {
  return template.replace(/\{(in|out|t0|t1|iter|h)\}/g, (_, name: Placeholder) => {
    const v = values[name];
    // numbers as the shortest text that reads back to the same double
    return typeof v === "number" ? String(v) : quote(v);
  });
}
