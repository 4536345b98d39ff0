// Build step: the `parareal` command as a few files (its entry and one chunk per group of modules
// its subcommands import on demand) in dist/src/bundle, beside the modules it is made of. Every
// command starts by loading its code, and a hundred small modules cost each start ~0.1 s more
// than a few files do. Packages stay outside but commander (every command parses its options) and
// valibot (checks of run.json and payloads), compiled in. The bin (dist/src/cli/bin.js) takes the bundle
// when it is there, else the modules; without esbuild nothing is written.
import { join } from "node:path";
import { bundleStep, root } from "./esbuild-step.mjs";

const outdir = join(root, "dist", "src", "bundle");

// commander loads node:child_process when it loads (7 ms of every start, --help included) for
// subcommands that are programs, which parareal has none of: it gets it on first use instead
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy" } : undefined));
    build.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require("node:child_process"))[key] });',
      loader: "js",
    }));
  },
};
// chunks beside the entry: code that names files relative to itself finds them from here as from its own folder
await bundleStep("bundle-cli", "the command loads its modules one by one", outdir, {
  entryPoints: { main: join(root, "dist", "src", "cli", "main.js") },
  outdir,
  splitting: true,
  chunkNames: "[name]-[hash]",
  plugins: [lazyChildProcess],
}, ["commander", "valibot"]);
