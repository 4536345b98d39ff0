/** The names a run configuration chooses among, apart from it so that the CLI can list them cheaply. */

/** Norms over the state for the stopping criteria (computed by parareal/criteria.ts). */
export type NormName = "max" | "rms" | "l2";
export const NORM_NAMES: readonly NormName[] = ["max", "rms", "l2"];

/** The iterative method: parareal (the original's) or MGRIT (src/mgrit). */
export type MethodChoice = "parareal" | "mgrit";
export const METHOD_CHOICES: readonly MethodChoice[] = ["parareal", "mgrit"];
/** MGRIT's relaxation: F, or FCF (F, then C, then F again). */
export type RelaxName = "F" | "FCF";
export const RELAX_NAMES: readonly RelaxName[] = ["F", "FCF"];
