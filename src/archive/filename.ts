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
