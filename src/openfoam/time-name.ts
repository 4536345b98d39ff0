/**
 * Time directory names as OpenFOAM makes them. With `timeFormat general` a time is named by C++'s
 * default float formatting at `timePrecision` digits, i.e. printf("%.*g"): 0.30000000000000004
 * at precision 6 is "0.3", 1e-7 is "1e-07". Writing the start directory under exactly that name
 * lets controlDict carry the exact double (startTime 0.30000000000000004) while OpenFOAM finds the
 * directory at the precision it was told; the times it then writes get the same kind of names.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { topLevelEntries, valueWords } from "./foam-syntax.js";

/** The exact decimal expansion of a positive finite double: digits × 10^exponent. */
function exactDecimal(x: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  if (e2 >= 0) return { digits: (mantissa << BigInt(e2)).toString(), exponent: 0 };
  // m × 2^e2 = m × 5^-e2 × 10^e2
  return { digits: (mantissa * 5n ** BigInt(-e2)).toString(), exponent: e2 };
}

/** printf("%.*g", precision, x) as glibc does it (exact value, round half to even). */
export function formatGeneral(x: number, precision: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`time ${x} is not finite`);
  const p = Math.max(1, Math.floor(precision));
  if (x === 0) return "0";
  const sign = x < 0 ? "-" : "";
  let { digits, exponent } = exactDecimal(Math.abs(x));
  // strip the expansion's trailing zeros (they carry no information)
  const trimmed = digits.replace(/0+$/, "");
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  let e10 = digits.length - 1 + exponent; // x = d.ddd × 10^e10
  if (digits.length > p) {
    const keep = digits.slice(0, p);
    const rest = digits.slice(p);
    const half = rest[0]! > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
    const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
    const up = half || (tie && Number(keep[keep.length - 1]) % 2 === 1);
    let rounded = up ? (BigInt(keep) + 1n).toString() : keep;
    if (rounded.length > p) {
      rounded = rounded.slice(0, p);
      e10++;
    }
    digits = rounded;
  }
  digits = digits.replace(/0+$/, "") || "0";
  if (e10 < -4 || e10 >= p) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(e10);
    return `${sign}${mantissa}e${e10 < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  if (e10 >= 0) {
    const int = digits.slice(0, e10 + 1).padEnd(e10 + 1, "0");
    const frac = digits.slice(e10 + 1);
    return `${sign}${int}${frac ? `.${frac}` : ""}`;
  }
  return `${sign}0.${"0".repeat(-e10 - 1)}${digits}`;
}

/** The directory name of time t with `timeFormat general` and this timePrecision. */
export function timeName(t: number, precision = 6): string {
  return formatGeneral(t, precision);
}

/**
 * Names for several times at once: `precision` raised (as OpenFOAM does) until the names are
 * distinct and each reads back as the nearest of the times to it.
 */
export function distinctTimeNames(times: ArrayLike<number>, precision = 6): { names: string[]; precision: number } {
  for (let p = precision; p <= 17; p++) {
    const names = Array.from(times, (t) => timeName(t, p));
    if (new Set(names).size === names.length) return { names, precision: p };
  }
  throw new RangeError("times are not distinct");
}

export interface TimeDir {
  readonly name: string;
  /** the time: `value` of uniform/time when OpenFOAM wrote one (the exact double), else the name */
  readonly value: number;
}

/** The exact time OpenFOAM recorded in <dir>/uniform/time, if any. */
function recordedTime(dir: string): number | undefined {
  const path = join(dir, "uniform", "time");
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "latin1");
  const entry = topLevelEntries(text).find((e) => e.keyword === "value");
  const v = entry ? Number(valueWords(text, entry)[0]) : Number.NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** The time directories of a case, in time order. */
export function timeDirs(caseDir: string): TimeDir[] {
  const dirs: TimeDir[] = [];
  for (const name of readdirSync(caseDir)) {
    const fromName = Number(name);
    if (name.trim() === "" || !Number.isFinite(fromName)) continue;
    const path = join(caseDir, name);
    if (!statSync(path).isDirectory()) continue;
    dirs.push({ name, value: recordedTime(path) ?? fromName });
  }
  return dirs.sort((a, b) => a.value - b.value);
}
