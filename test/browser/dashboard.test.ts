/**
 * The Dashboard in real Chromium: the request count in the totals and in the Requests chart's data table
 * grows by the requests made meanwhile once Refresh is pressed; the uPlot canvas is drawn without any <style>
 * element (which the Content-Security-Policy would block); the split by engine names the engine; the health
 * panel shows the sidecar's state, restarts and queue as GET /api/v1/health reports them; and requests that
 * failed (a 422 and a 404) appear among the recent errors on Refresh, each under its own request id.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import {
  overflowAtPhoneWidth,
  saveScreenshot,
  seriousAxeViolations,
  useStudio,
  expectCleanPage,
} from "../helpers/browser.js";

const SPOKEN = 3;

describe("studio Dashboard in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  const totalRequests = async (page: Page) =>
    Number(
      await page
        .getByRole("region", { name: "Totals of the window" })
        .locator("dt:text-is('Requests') + dd")
        .textContent(),
    );
  const tableRequests = async (page: Page) =>
    Number(await page.getByRole("region", { name: "Requests" }).locator("tfoot td[data-total]").textContent());

  it("shows usage that grows on Refresh, in charts and tables, with the server's health", async () => {
    const { page, errors } = await studio.open("dashboard");
    const requestsChart = page.getByRole("region", { name: "Requests" });
    await requestsChart.locator("canvas").first().waitFor();
    await page.getByRole("region", { name: "Server health" }).getByText("ready").first().waitFor();
    await page.getByRole("checkbox", { name: "Refresh every 10 s" }).uncheck();
    const before = { totals: await totalRequests(page), table: await tableRequests(page) };

    for (let i = 0; i < SPOKEN; i++) {
      const response = await fetch(`${studio.app.baseUrl}/api/v1/tts?response_mode=json`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: `Dashboard request ${i + 1}.` }),
      });
      expect(response.status).to.equal(200);
    }
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.waitForFunction(
      ([selector, least]) => Number(document.querySelector(selector as string)?.textContent) >= (least as number),
      [".usage-chart tfoot td[data-total]", before.table + SPOKEN] as const,
    );
    expect(await totalRequests(page)).to.be.at.least(before.totals + SPOKEN);
    expect(await tableRequests(page)).to.be.at.least(before.table + SPOKEN);

    await requestsChart.getByText("Chart data").click();
    const table = requestsChart.getByRole("table");
    expect(await table.getByRole("columnheader").allTextContents()).to.include("POST /api/v1/tts");
    await saveScreenshot(page, "dashboard-by-endpoint");

    await page.getByLabel("Split by").selectOption("engine");
    await table.getByRole("columnheader", { name: "espeak" }).waitFor();
    await page.getByLabel("Window", { exact: true }).selectOption("month");
    await table.getByRole("columnheader", { name: "espeak" }).waitFor();
    expect(await page.locator(".chart-canvas canvas").count()).to.be.at.least(5);
    expect(await page.locator("style").count(), "uPlot must not inject <style> elements").to.equal(0);
    await saveScreenshot(page, "dashboard-by-engine-month");

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await overflowAtPhoneWidth(page);
    expect(overflow, "horizontal scrolling at a phone's width").to.be.at.most(0);
    await saveScreenshot(page, "dashboard-phone");

    expect(errors).to.deep.equal([]);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.close();
  });

  it("shows the health the server reports, and failed requests among the recent errors on Refresh", async () => {
    const { baseUrl } = studio.app;
    const { page, errors } = await studio.open("dashboard");
    await page.getByRole("checkbox", { name: "Refresh every 10 s" }).uncheck();
    const healthPanel = page.getByRole("region", { name: "Server health" });
    await healthPanel.getByText("ready").first().waitFor();
    const health = await (await fetch(`${baseUrl}/api/v1/health`)).json();
    const fact = (label: string) => healthPanel.locator(`dt:text-is("${label}") + dd`).textContent();
    expect(await fact("Sidecar")).to.equal(health.sidecar.state);
    expect(await fact("Sidecar restarts")).to.equal(String(health.sidecar.restarts));
    expect(await fact("Queue")).to.equal(`${health.queue.depth} of ${health.queue.capacity}`);
    expect(await fact("Engine")).to.equal(`${health.engine.name} (${health.engine.device})`);

    const refused = await fetch(`${baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Too hot.", temperature: 5 }),
    });
    const missing = await fetch(`${baseUrl}/api/v1/voices/no-such-voice.wav`);
    expect([refused.status, missing.status]).to.deep.equal([422, 404]);
    const failures = [
      { response: refused, operation: "POST /api/v1/tts", code: (await refused.json()).error_code },
      { response: missing, operation: "GET /api/v1/voices/*path", code: (await missing.json()).error_code },
    ];
    await page.getByRole("button", { name: "Refresh" }).click();

    const recent = page.getByRole("region", { name: "Recent errors (last 24 h)" });
    for (const { response, operation, code } of failures) {
      const requestId = response.headers.get("X-Request-ID")!;
      const row = recent.getByRole("row").filter({ hasText: requestId });
      await row.waitFor();
      const cells = await row.getByRole("cell").allTextContents();
      expect(cells.slice(1)).to.deep.equal([operation, String(response.status), code, "low", requestId]);
    }
    expect(await recent.locator("caption").textContent()).to.match(/^The newest \d+ of \d+ failures/);
    await saveScreenshot(page, "dashboard-recent-errors");
    await expectCleanPage(page, errors);
    await page.close();
  });
});
