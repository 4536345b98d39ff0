/**
 * numpy.linspace, bit for bit: step = (stop - start) / (num - 1); element i is
 * i * step + start (multiply first, then add); the last element is stop exactly.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  const out = new Float64Array(num);
  for (let i = 0; i < num; i++) out[i] = linspaceAt(start, stop, num, i);
  return out;
}

/** Element i of linspace(start, stop, num) without building the array. */
export function linspaceAt(start: number, stop: number, num: number, i: number): number {
  if (num === 1) return start;
  if (i === num - 1) return stop;
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  // NumPy's fallback when the step underflows to zero
  if (step === 0) return (i / div) * delta + start;
  return i * step + start;
}
