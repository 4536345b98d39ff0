// docs/dashboard.png: the dashboard of the synthetic demo-sized run (19 slices, 2 workers, 3 fine
// jobs reused, converged after 14 iterations), rendered by headless chromium. Needs `npm run build`.
//   node scripts/dashboard-screenshot.mjs [OUT.png]
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const { syntheticRun } = await dist("src/dashboard/synthetic-run.js");
const { EventFeed } = await dist("src/dashboard/feed.js");
const { serveDashboard } = await dist("src/dashboard/server.js");
const { launchChromium, openDashboardPage } = await dist("bench/chromium.js");

const out = process.argv[2] ?? join(root, "docs", "dashboard.png");
const feed = new EventFeed();
feed.appendAll(syntheticRun({ slices: 19, convergeAt: 14, workers: 2, reused: 3 }));
const server = await serveDashboard({ feed });
const chromium = await launchChromium();
try {
  const { page, errors } = await openDashboardPage(chromium, server.url, { width: 1280, height: 1000 });
  await page.waitForFunction(`document.querySelector("[data-testid=status]").textContent.startsWith("converged")`, { timeout: 10_000 });
  await page.screenshot({ path: out, fullPage: true });
  if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
  console.log(`wrote ${out}`);
} finally {
  await chromium.close();
  await server.close();
}
