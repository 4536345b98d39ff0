// What both bundle steps share: esbuild when it is installed (else nothing is written and the
// modules load one by one, as without a build step), Node 20 ESM, packages left outside, and on
// failure no half-written output.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Build `options` (entry and output) with esbuild; `output` is removed if the build fails. */
export async function bundleStep(step, fallback, output, options) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (e) {
    console.warn(`${step}: esbuild is not available (${e.message}); ${fallback}`);
    return;
  }
  try {
    await esbuild.build({ bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning", ...options });
  } catch (e) {
    rmSync(output, { recursive: true, force: true });
    console.warn(`${step}: ${e.message}; ${fallback}`);
  }
}
