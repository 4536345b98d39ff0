/**
 * How far two series of states are apart, field by field: the largest difference of any
 * component of a field (its internal values and patch values) over all states, beside the field's
 * size in the reference (the largest magnitude of a value: |U| for a vector), so that a difference
 * reads against the field it is in (a flux of 1e-6 and a velocity of 1 share one state).
 */
import { fieldNames, type StateLayout } from "./field-state.js";

export interface FieldDifference {
  readonly field: string;
  /** max |a - b| over every component of every value of the field, every state */
  readonly maxDifference: number;
  /** max magnitude of a value of the field in the reference states */
  readonly maxMagnitude: number;
}

export function fieldDifferences(layout: StateLayout, states: readonly ArrayLike<number>[], reference: readonly ArrayLike<number>[]): FieldDifference[] {
  if (states.length !== reference.length) throw new RangeError(`${states.length} states against ${reference.length} reference states`);
  return fieldNames(layout).map((field) => {
    let maxDifference = 0;
    let maxMagnitude = 0;
    for (const f of layout.fields) {
      if (f.name !== field) continue;
      states.forEach((a, s) => {
        const b = reference[s]!;
        for (let v = 0; v < f.count; v++) {
          let squares = 0;
          for (let c = 0; c < f.components; c++) {
            const i = f.offset + v * f.components + c;
            maxDifference = Math.max(maxDifference, Math.abs(a[i]! - b[i]!));
            squares += b[i]! * b[i]!;
          }
          maxMagnitude = Math.max(maxMagnitude, Math.sqrt(squares));
        }
      });
    }
    return { field, maxDifference, maxMagnitude };
  });
}

/** One line for the run's summary: `U 1.2e-16 (max |U| 0.98), p ...`. */
export function formatFieldDifferences(differences: readonly FieldDifference[]): string {
  const parts = differences.map((d) => `${d.field} ${d.maxDifference.toExponential(2)} (max |${d.field}| ${d.maxMagnitude.toPrecision(3)})`);
  return `max |parareal - reference| by field: ${parts.join(", ")}`;
}
