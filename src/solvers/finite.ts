/** A solver's result must be finite: NaN or infinity means the step or the problem is wrong. */
export function checkFinite(values: Float64Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) throw new Error(`${what} produced a non-finite value (${v}) at component ${i}`);
  }
}
