/**
 * Colours shared by the plots. Iterations run from plasma's coral (early) to its dark blue (late):
 * every colour keeps at least 3:1 contrast against the white background, and the converged iterate,
 * the one that matters, is the darkest (viridis ended in pale yellow there). The reference lines
 * differ from each other and from every iterate in colour as well as in dash.
 */

/** Vega-Lite scale of a quantitative iteration field. */
export const ITERATION_SCALE = { scheme: { name: "plasma", extent: [0, 0.6] }, reverse: true } as const;

export const REFERENCE_COLOUR = "#000000";
export const EXACT_COLOUR = "#2ca02c";
/** the serial fine reference's jobs in the timeline */
export const REFERENCE_JOB_COLOUR = "#9e9e9e";
export const CANCELLED_COLOUR = "#d62728";

export const REFERENCE_LABEL = "serial fine reference";
export const EXACT_LABEL = "exact";
