/**
 * Issue 12: the dashboard's overhead on a real run. The 1,000-slice threads run, whole process,
 * without a dashboard (it writes events.jsonl, as every run does) and with `--dashboard 0` and a
 * headless chromium showing the printed URL (launched beforehand, so the run pays for the
 * viewer, not for starting a browser). Median of 3 each, taking turns; goal: < 5% slower.
 */
import { median, minimum } from "../stats.js";
import { rowsTable, type Table } from "../table.js";
import { timeRun, type TimedRun } from "../parareal-cli.js";
import { THOUSAND_SLICES } from "../thousand-slices.js";
import { launchChromium, openDashboardPage, type Chromium } from "../chromium.js";

const REPS = 3;
const GOAL_PERCENT = 5;
const URL_LINE = /parareal: dashboard at (\S+)/;

interface Watched {
  readonly run: TimedRun;
  /** the viewer saw the run's end */
  readonly sawEnd: boolean;
  readonly errors: readonly string[];
}

async function watchedRun(chromium: Chromium): Promise<Watched> {
  let stderr = "";
  let viewer: Promise<Awaited<ReturnType<typeof openDashboardPage>>> | undefined;
  const run = await timeRun([...THOUSAND_SLICES, "--dashboard", "0"], {
    onStderr: (text) => {
      stderr += text;
      const url = URL_LINE.exec(stderr)?.[1];
      if (url !== undefined && viewer === undefined) viewer = openDashboardPage(chromium, url);
    },
  });
  if (viewer === undefined) throw new Error(`the run printed no dashboard URL: ${stderr.trim()}`);
  const { page, errors } = await viewer;
  // the page renders at most every 500 ms: give it a moment to show the end it was sent
  const sawEnd = await page
    .waitForFunction(`document.querySelector("[data-testid=status]").textContent.startsWith("converged")`, { timeout: 5000 })
    .then(() => true, () => false);
  await page.close();
  return { run, sawEnd, errors };
}

export async function run(): Promise<Table[]> {
  const chromium = await launchChromium();
  const plain: TimedRun[] = [];
  const watched: Watched[] = [];
  try {
    for (let i = 0; i < REPS; i++) {
      plain.push(await timeRun(THOUSAND_SLICES));
      watched.push(await watchedRun(chromium));
    }
  } finally {
    await chromium.close();
  }
  const without = median(plain.map((r) => r.timed.seconds));
  const withViewer = median(watched.map((w) => w.run.timed.seconds));
  const slower = (100 * (withViewer - without)) / without;
  const seen = watched.filter((w) => w.sawEnd).length;
  const errors = [...new Set(watched.flatMap((w) => w.errors))];
  const describe = (runs: readonly TimedRun[]) =>
    `min ${minimum(runs.map((r) => r.timed.seconds)).toFixed(2)} s, CPU ${median(runs.map((r) => r.timed.cpuSeconds)).toFixed(1)} s, parareal wall ${median(runs.map((r) => r.record.wallSeconds ?? NaN)).toFixed(2)} s`;
  return [
    rowsTable("Dashboard overhead on the 1,000-slice threads run (issue 12)", [
      { what: `1,000 slices, 2 workers, no dashboard (events.jsonl written, as always), whole process (median of ${REPS})`, value: without, unit: "s", note: describe(plain) },
      { what: `the same with --dashboard and one chromium viewer (median of ${REPS})`, value: withViewer, unit: "s", note: `${describe(watched.map((w) => w.run))}; the viewer saw the end in ${seen} of ${REPS}${errors.length > 0 ? `; page errors: ${errors.join("; ")}` : ""}` },
      { what: "slower with the dashboard and a viewer", value: slower, unit: "%", target: GOAL_PERCENT, targetText: `< ${GOAL_PERCENT}%`, note: `of the medians (of the minimums: ${((100 * (minimum(watched.map((w) => w.run.timed.seconds)) - minimum(plain.map((r) => r.timed.seconds)))) / minimum(plain.map((r) => r.timed.seconds))).toFixed(1)}%); chromium's rendering shares the 2 cores` },
    ]),
  ];
}
