/**
 * Debian's chromium (/usr/bin/chromium), headless, driven by puppeteer-core (a devDependency:
 * no browser download). For the dashboard's browser test, its screenshot script, and the
 * benchmark of a run with a viewer connected. The machine's network is closed: no background
 * fetching, a fresh profile each time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const CHROMIUM = process.env.PARAREAL_CHROMIUM ?? "/usr/bin/chromium";

export interface Chromium {
  readonly browser: Browser;
  /** closes the browser and removes its profile */
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "parareal-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", // tests may run as root
      "--headless=new",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page showing the dashboard at `url`; errors in the page fail loudly through `errors`. */
export async function openDashboardPage(chromium: Chromium, url: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await chromium.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e instanceof Error ? e.message : String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: "load" });
  return { page, errors };
}

/**
 * For the overhead benchmark: a headless chromium showing the dashboard at `url` until closed,
 * so a timed run pays for a real viewer (the page's rendering shares the machine's cores).
 */
export async function viewDashboard(url: string): Promise<{ close(): Promise<void> }> {
  const chromium = await launchChromium();
  try {
    await openDashboardPage(chromium, url);
  } catch (e) {
    await chromium.close();
    throw e;
  }
  return { close: () => chromium.close() };
}
