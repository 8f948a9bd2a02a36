/**
 * Browser tests drive Debian's Chromium (the `chromium` package `npm install` puts in place; no browser is
 * downloaded) through playwright-core, against the real app and sidecar (espeak engine). Screenshots go to
 * test-results/screenshots/ as artefacts of the run, never into the repository.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { PROJECT_ROOT } from "../../src/project-root.js";
import type { SidecarSupervisor } from "../../src/sidecar/supervisor.js";
import { realSidecarSupervisor } from "./real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "./test-app.js";

/** CHROMIUM overrides where the browser is (e.g. /usr/bin/chromium-browser on Ubuntu). */
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(PROJECT_ROOT, "test-results", "screenshots");

async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run npm install as root, apt-get install chromium, or set CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      // Tests press play without a user gesture, and record from a fake microphone without a permission prompt.
      "--autoplay-policy=no-user-gesture-required",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      // CI runs as root, where Chromium refuses to start sandboxed.
      "--no-sandbox",
    ],
  });
}

/**
 * Everything the page reports as an error: console errors (Content-Security-Policy violations among them)
 * and uncaught exceptions. Failed API calls a test provokes on purpose show up too, so assert on the list
 * where the page is expected to be quiet.
 */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`exception: ${error.message}`));
  return { errors };
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical accessibility violations on the page as it is now (WCAG 2.1 A and AA). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's script-src policy does not govern.
  await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (options: object) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((violation) => ({
      id: violation.id as string,
      impact: violation.impact as string | null,
      help: violation.help as string,
      targets: (violation.nodes as Array<{ target: string[] }>).map((node) => node.target.join(" ")),
    }));
  });
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

/** What every page must be after a user's steps: no serious accessibility violation, and no console error. */
export async function expectCleanPage(page: Page, errors: readonly string[]): Promise<void> {
  expect(await seriousAxeViolations(page)).to.deep.equal([]);
  expect(errors).to.deep.equal([]);
}

/** The app and Chromium for one `describe` block: started before its tests, stopped after them. */
export interface Studio {
  /** The app as users run it: the real sidecar with the espeak engine, on port 0, in a temp data folder. */
  readonly app: TestApp;
  readonly browser: Browser;
  /** A new page on a section (`#/generate` …), watched for errors; desktop-sized unless told otherwise. */
  open(section: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
}

/** Registers the hooks that start and stop the studio's app and browser; `yaml` is extra config.yaml text. */
export function useStudio(yaml = ""): Studio {
  let app: TestApp | undefined;
  let supervisor: SidecarSupervisor | undefined;
  let browser: Browser | undefined;
  before(async () => {
    const data = await makeDataDir(yaml);
    supervisor = realSidecarSupervisor(data.config);
    await supervisor.start();
    app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.dispose();
    await supervisor?.stop();
  });
  return {
    get app() {
      return app!;
    },
    get browser() {
      return browser!;
    },
    open: async (section, viewport = { width: 1280, height: 900 }) => {
      const page = await browser!.newPage({ viewport });
      const { errors } = watchPage(page);
      await page.goto(`${app!.baseUrl}/ui/#/${section}`);
      await page.getByRole("heading", { level: 2 }).first().waitFor();
      return { page, errors };
    },
  };
}

/** How far the page scrolls sideways at a phone's width (390 px): more than 0 means it does not fit. */
export async function overflowAtPhoneWidth(page: Page): Promise<number> {
  await page.setViewportSize({ width: 390, height: 844 });
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Plays an <audio> element and resolves when it fires `ended`; rejects when the browser refuses to play it. */
export function playToEnd(audio: Locator): Promise<void> {
  return audio.evaluate(
    (element: HTMLAudioElement) =>
      new Promise<void>((resolve, reject) => {
        element.addEventListener("ended", () => resolve(), { once: true });
        element.play().catch(reject);
      }),
  );
}
