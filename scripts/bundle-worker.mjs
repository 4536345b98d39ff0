// Build step: the worker threads' module as one file. Every thread imports it when it starts, and
// one file of ~140 kB loads in about two thirds of the time of the ~45 modules it is made of
// (resolving and linking each costs every thread). Packages stay outside but valibot (the payload
// checks), compiled in. Should esbuild be
// missing, nothing is written and the threads load the modules one by one, as before.
import { join } from "node:path";
import { bundleStep, root } from "./esbuild-step.mjs";

const outfile = join(root, "dist", "src", "jobs", "thread-worker.bundle.js");
await bundleStep("bundle-worker", "worker threads load their modules one by one", outfile, {
  entryPoints: [join(root, "dist", "src", "jobs", "thread-worker.js")],
  outfile,
}, ["valibot"]);
