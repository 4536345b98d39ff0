/** The bench's sections, in the order `npm run bench` runs them, and choosing among them by name. */
import type { Section } from "./section.js";
import { demo } from "./sections/demo.js";
import { startup } from "./sections/startup.js";
import { hdf5 } from "./sections/hdf5.js";
import { workers } from "./sections/workers.js";
import { projection } from "./sections/projection.js";
import { kernel } from "./sections/kernel.js";
import { overhead } from "./sections/overhead.js";
import { help } from "./sections/help.js";
import { load } from "./sections/load.js";
import { redis } from "./sections/redis.js";
import { integrators } from "./sections/integrators.js";
import { mgritSection } from "./sections/mgrit.js";
import { dashboard } from "./sections/dashboard.js";
import { viewer } from "./sections/viewer.js";

export const SECTIONS: readonly Section[] = [demo, startup, hdf5, workers, projection, kernel, overhead, help, load, redis, integrators, mgritSection, dashboard, viewer];

/** The sections named on the command line or in PARAREAL_BENCH (comma or space separated); all when none. */
export function chooseSections(args: readonly string[], env: string | undefined): Section[] {
  // --kernel: the former flag for the kernel table alone
  const names = [...args.map((a) => (a === "--kernel" ? "kernel" : a)), ...(env ?? "").split(/[\s,]+/)].filter((n) => n !== "");
  if (names.length === 0) return [...SECTIONS];
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) throw new RangeError(`unknown section${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; there are: ${SECTIONS.map((s) => s.name).join(", ")}`);
  return SECTIONS.filter((s) => names.includes(s.name));
}

export function listSections(): string {
  const width = Math.max(...SECTIONS.map((s) => s.name.length));
  return SECTIONS.map((s) => `${s.name.padEnd(width)}  ~${String(s.seconds).padStart(3)} s  ${s.about}`).join("\n");
}

