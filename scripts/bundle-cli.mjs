// Build step: the `parareal` command as a few files (its entry and one chunk per group of modules
// its subcommands import on demand) in dist/src/bundle, beside the modules it is made of. Every
// command starts by loading its code, and a hundred small modules cost each start ~0.1 s more
// than a few files do. Packages stay outside. The bin (dist/src/cli/bin.js) takes the bundle
// when it is there, else the modules; without esbuild nothing is written.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "src", "bundle");

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (e) {
  console.warn(`bundle-cli: esbuild is not available (${e.message}); the command loads its modules one by one`);
  process.exit(0);
}
try {
  // chunks beside the entry: code that names files relative to itself finds them from here as from its own folder
  await esbuild.build({ entryPoints: { main: join(root, "dist", "src", "cli", "main.js") }, outdir, bundle: true, splitting: true, chunkNames: "[name]-[hash]", platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
} catch (e) {
  rmSync(outdir, { recursive: true, force: true });
  console.warn(`bundle-cli: ${e.message}; the command loads its modules one by one`);
}
