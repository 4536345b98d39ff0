// Build step: the `parareal` command as a few files (its entry and one chunk per group of modules
// its subcommands import on demand) in dist/src/bundle, beside the modules it is made of. Every
// command starts by loading its code, and a hundred small modules cost each start ~0.1 s more
// than a few files do. Packages stay outside. The bin (dist/src/cli/bin.js) takes the bundle
// when it is there, else the modules; without esbuild nothing is written.
import { join } from "node:path";
import { bundleStep, root } from "./esbuild-step.mjs";

const outdir = join(root, "dist", "src", "bundle");
// chunks beside the entry: code that names files relative to itself finds them from here as from its own folder
await bundleStep("bundle-cli", "the command loads its modules one by one", outdir, {
  entryPoints: { main: join(root, "dist", "src", "cli", "main.js") },
  outdir,
  splitting: true,
  chunkNames: "[name]-[hash]",
});
