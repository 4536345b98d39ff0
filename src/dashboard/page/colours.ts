/**
 * Colours: the states' come from the style sheet (--queued, ...), so the legend and the canvases
 * agree. Iterations cycle through ten saturated colours that all stand out on white (no pale
 * yellow), so late iterations stay readable.
 */
import type { JobState } from "../events.js";
import { STATES } from "./model.js";

export const ITERATION_COLOURS = ["#1f6fd1", "#d95f02", "#2e9d4a", "#7b3294", "#d6277f", "#8c564b", "#0e8a7d", "#5e60ce", "#a67c00", "#c0392b"] as const;
export const REFERENCE_COLOUR = "#4a5160";

export function iterationColour(iteration: number): string {
  return ITERATION_COLOURS[iteration % ITERATION_COLOURS.length]!;
}

export function stateColours(): Record<JobState, string> {
  const style = getComputedStyle(document.documentElement);
  const out = {} as Record<JobState, string>;
  for (const s of STATES) out[s] = style.getPropertyValue(`--${s}`).trim() || "#888";
  return out;
}
