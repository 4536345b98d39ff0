/**
 * A module that loops at import blocks this thread for good, timers and all. A watchdog thread
 * (which a blocked main thread cannot stop from writing) says which module is still loading,
 * after a few seconds and then every so often, straight to stderr.
 */
import { Worker } from "node:worker_threads";

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const [flag, url, firstMs, everyMs] = [workerData.flag, workerData.url, workerData.firstMs, workerData.everyMs];
let waited = 0;
for (let wait = firstMs; Atomics.wait(flag, 0, 0, wait) === "timed-out"; wait = everyMs) {
  waited += wait;
  writeSync(2, "WARNING:parareal:problem module " + url + " is still loading after " + Math.round(waited / 1000) + " s (does it loop at import?)\\n");
}
`;

/** Run `load` with a watchdog; the warning goes to stderr whatever the log settings. */
export async function watchImport<T>(url: string, load: () => Promise<T>, firstMs = 3000, everyMs = 10_000): Promise<T> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { flag, url, firstMs, everyMs } });
  watchdog.unref();
  try {
    return await load();
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}
