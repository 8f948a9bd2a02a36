/**
 * The studio's frame in real Chromium: every section is reachable from the navigation and by keyboard, has no
 * serious accessibility violation (axe-core) at a desktop's width nor at a phone's, fits a phone's width, and the
 * page logs no errors (a violation of its Content-Security-Policy would be one). Screenshots of each section are
 * saved as artefacts.
 */
import { expect } from "chai";
import { overflowAtPhoneWidth, saveScreenshot, seriousAxeViolations, useStudio } from "../helpers/browser.js";

const SECTIONS = ["generate", "voices", "convert", "outputs", "concat", "realtime", "dashboard", "keys"];

describe("studio frame in Chromium", function () {
  this.timeout(180_000);
  const studio = useStudio();

  it("a browser opening / is pointed at the studio; API clients still get JSON", async () => {
    const page = await studio.browser.newPage();
    await page.goto(studio.app.baseUrl);
    await page.getByRole("link", { name: "Open the studio" }).click();
    await page.getByRole("navigation", { name: "Studio sections" }).waitFor();
    expect(new URL(page.url()).pathname).to.equal("/ui/");
    await page.close();
    const api = await fetch(studio.app.baseUrl);
    expect(api.headers.get("content-type")).to.match(/^application\/json/);
    expect((await api.json()).endpoints.studio).to.equal("/ui/");
  });

  for (const section of SECTIONS) {
    it(`${section}: opens from the navigation, passes axe on a desktop and a phone, fits a phone, logs no errors`, async () => {
      const { page, errors } = await studio.open(section);
      const link = page
        .getByRole("navigation", { name: "Studio sections" })
        .getByRole("link", { exact: true, name: new RegExp(`^${section}$`, "i") });
      expect(await link.getAttribute("aria-current")).to.equal("page");
      await page.waitForLoadState("networkidle");
      await saveScreenshot(page, `section-${section}`);
      expect(await seriousAxeViolations(page)).to.deep.equal([]);
      const overflow = await overflowAtPhoneWidth(page);
      expect(overflow, "horizontal scrolling at a phone's width").to.be.at.most(0);
      await saveScreenshot(page, `section-${section}-phone`);
      // The narrow layout is a different page for axe: stacked grids, wrapped tables, smaller targets.
      expect(await seriousAxeViolations(page), "at a phone's width").to.deep.equal([]);
      expect(errors).to.deep.equal([]);
      await page.close();
    });
  }

  it("the navigation works from the keyboard and moves focus to the section", async () => {
    const { page, errors } = await studio.open("generate");
    const outputs = page.getByRole("link", { name: "Outputs", exact: true });
    await outputs.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 2, name: "Outputs" }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("main");
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
