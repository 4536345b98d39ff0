// What both bundle steps share: esbuild when it is installed (else nothing is written and the
// modules load one by one, as without a build step), Node 20 ESM, packages left outside unless named, and on
// failure no half-written output.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** package.json's dependencies: left outside the bundle unless named to be bundled */
function dependencies() {
  return Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies ?? {});
}

// a CommonJS package bundled into ESM calls require() for Node's own modules
const REQUIRE_BANNER = 'import { createRequire as __pararealCreateRequire } from "node:module"; const require = __pararealCreateRequire(import.meta.url);';

/**
 * Build `options` (entry and output) with esbuild; `output` is removed if the build fails.
 * `bundled`: packages compiled into the output (only what is used of them), sparing every start
 * their resolution, separate files and, for CommonJS ones, Node's export scan.
 */
export async function bundleStep(step, fallback, output, options, bundled = []) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (e) {
    console.warn(`${step}: esbuild is not available (${e.message}); ${fallback}`);
    return;
  }
  try {
    const outside = bundled.length === 0 ? { packages: "external" } : { external: dependencies().filter((d) => !bundled.includes(d)), banner: { js: REQUIRE_BANNER } };
    await esbuild.build({ bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning", ...outside, ...options });
  } catch (e) {
    rmSync(output, { recursive: true, force: true });
    console.warn(`${step}: ${e.message}; ${fallback}`);
  }
}
