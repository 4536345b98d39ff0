/** File names exactly as the Python original: f"{name}-{n_iter:04}-{int(t0*1000):06}-{int(t1*1000):06}.h5". */

/** Python's `f"{n:0W}"` for an integer: the sign counts towards the width. */
export function zeroPad(n: number, width: number): string {
  const digits = Math.abs(n).toString();
  const sign = n < 0 ? "-" : "";
  return sign + digits.padStart(width - sign.length, "0");
}

/** Python's int() of t*1000: the float product, truncated toward zero. */
export function milliseconds(t: number): number {
  return Math.trunc(t * 1000);
}

export function fineFilename(name: string, iteration: number, t0: number, t1: number): string {
  return `${name}-${zeroPad(iteration, 4)}-${zeroPad(milliseconds(t0), 6)}-${zeroPad(milliseconds(t1), 6)}.h5`;
}

/**
 * Why the time points `t` cannot name their fine files, or undefined when they can: every point's
 * int(t*1000) must be an integer that prints as digits (a safe integer: no `1e+25`, no `Infinity`)
 * and differ from every other's, else two slices would write one file. `t` ascends (a linspace),
 * so distinct neighbours make all distinct.
 */
export function fineNameClash(t: ArrayLike<number>): string | undefined {
  for (let i = 0; i < t.length; i++) {
    const ms = milliseconds(t[i]!);
    if (!Number.isSafeInteger(ms)) return `t = ${t[i]} makes int(t*1000) = ${ms}, beyond the whole milliseconds that fine file names spell (at most ${Number.MAX_SAFE_INTEGER})`;
    if (i > 0 && ms === milliseconds(t[i - 1]!)) return `slice ${i} (t = ${t[i - 1]} to ${t[i]}) is shorter than the 1 ms that fine file names resolve, so two slices would write one file`;
  }
  return undefined;
}
