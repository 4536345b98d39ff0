/**
 * The bench's tables. Most rows are a target: what was measured, the value, the target (met when
 * value <= target) and a note; a row without a value was skipped and its note says why. Sections
 * with other columns (the kernel against C, MGRIT) build a Table of cells directly.
 */
import { loadavg } from "node:os";

export interface Row {
  readonly what: string;
  /** undefined: not measured here (the note says why) */
  readonly value: number | undefined;
  readonly unit: string;
  /** met when value <= target */
  readonly target?: number;
  /** how the target reads when "<= target unit" does not say it all */
  readonly targetText?: string;
  readonly note?: string;
}

export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly cells: readonly (readonly string[])[];
  /** lines printed under the table */
  readonly notes?: readonly string[];
}

/** A number with three significant-ish digits: 0.123, 1.23, 12.3, 123. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

export function verdict(value: number | undefined, target: number | undefined): string {
  if (value === undefined) return "skipped";
  if (target === undefined) return "";
  return value <= target ? "met" : "MISSED";
}

export function rowsTable(title: string, rows: readonly Row[], notes?: readonly string[]): Table {
  const cells = rows.map((r) => [
    r.what,
    r.value === undefined ? "-" : `${fmt(r.value)} ${r.unit}`,
    r.targetText ?? (r.target === undefined ? "" : `<= ${fmt(r.target)} ${r.unit}`),
    verdict(r.value, r.target),
    r.note ?? "",
  ]);
  return { title, header: ["what", "measured", "target", "", "note"], cells, ...(notes === undefined ? {} : { notes }) };
}

/** Markdown-style columns, padded. */
export function formatTable(table: Table): string {
  const all = [table.header, ...table.cells];
  const widths = table.header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)));
  const line = (row: readonly string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ").trimEnd();
  const lines = [`## ${table.title}`, "", line(table.header), widths.map((w) => "-".repeat(w)).join("-|-"), ...table.cells.map(line)];
  if (table.notes !== undefined && table.notes.length > 0) lines.push("", ...table.notes);
  return lines.join("\n");
}

/** "load average 1.52 1.10 0.80 (1, 5, 15 min) on 2 cores": printed beside every table. */
export function loadAverage(cores: number): string {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} (1, 5, 15 min) on ${cores} cores`;
}
