// Build step: the worker threads' module as one file. Every thread imports it when it starts, and
// one file of ~140 kB loads in about two thirds of the time of the ~45 modules it is made of
// (resolving and linking each costs every thread). Packages stay outside. Should esbuild be
// missing, nothing is written and the threads load the modules one by one, as before.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "jobs", "thread-worker.js");
const out = join(root, "dist", "src", "jobs", "thread-worker.bundle.js");

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (e) {
  console.warn(`bundle-worker: esbuild is not available (${e.message}); worker threads load their modules one by one`);
  process.exit(0);
}
try {
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
} catch (e) {
  rmSync(out, { force: true });
  console.warn(`bundle-worker: ${e.message}; worker threads load their modules one by one`);
}
