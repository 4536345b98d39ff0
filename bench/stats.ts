/** Summaries of repeated measurements: the machine is shared, so the median and the minimum, never the mean. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of nothing");
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function minimum(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("minimum of nothing");
  return Math.min(...xs);
}

/** The index of the median element (for an even count, the lower one): to keep that run's directory, say. */
export function medianIndex(xs: readonly number[]): number {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  return order[(order.length - 1) >> 1]![1];
}
