/**
 * What a dashboard viewer costs without solvers (bench/dashboard-replay.ts): a synthetic
 * 1,000-slice run's events replayed at 2,400 events/s (the 1,000-slice threads run's rate) for
 * 20 s, nobody watching, then served to a headless chromium. CPU per second of replay.
 */
import { measureViewerCost } from "../dashboard-replay.js";
import { rowsTable, type Table } from "../table.js";

const RATE = 2400;
const SECONDS = 20;

export async function run(): Promise<Table[]> {
  const r = await measureViewerCost(RATE, 1000, RATE * SECONDS);
  const serving = r.served.cpu - r.alone.cpu;
  return [
    rowsTable(`A dashboard viewer's cost: ${r.events} events of a synthetic 1,000-slice run at ${RATE}/s`, [
      { what: "the feed alone, nobody watching: this process's CPU", value: (100 * r.alone.cpu) / r.alone.seconds, unit: "% of a core", note: `${r.alone.cpu.toFixed(2)} CPU s in ${r.alone.seconds.toFixed(1)} s` },
      { what: "served to one chromium viewer: this process's extra CPU", value: (100 * serving) / r.served.seconds, unit: "% of a core", note: `${r.served.cpu.toFixed(2)} CPU s in ${r.served.seconds.toFixed(1)} s` },
      { what: "the viewer: chromium's CPU (all its processes)", value: (100 * r.served.chromium) / r.served.seconds, unit: "% of a core", note: `${r.served.chromium.toFixed(2)} CPU s; last render ${r.renderMs} ms${r.errors.length > 0 ? `; page errors: ${r.errors.join("; ")}` : ""}` },
    ]),
  ];
}
