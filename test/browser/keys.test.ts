/**
 * The Keys section with API keys on, in real Chromium: the studio asks for a key when the server refuses its
 * first call, says so when the key is wrong, and with an admin key lists, creates (secret shown once, and it
 * works) and revokes keys (after which the same call is refused).
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { saveScreenshot, seriousAxeViolations, useStudio } from "../helpers/browser.js";

/** Chromium logs every refused request; these are the ones this test provokes on purpose. */
const REFUSED = /^console: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/;

describe("studio Keys section in Chromium (keys on)", function () {
  this.timeout(240_000);
  const studio = useStudio("auth:\n  enabled: true\n");
  let adminSecret: string;

  before(async () => {
    adminSecret = studio.app.services.keys.create({ name: "studio-admin", scopes: ["admin"] }, "test").secret;
  });

  const speak = (secret: string) =>
    fetch(`${studio.app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Key check." }),
    }).then((response) => response.status);

  async function enterKey(page: Page, secret: string): Promise<void> {
    const dialog = page.getByRole("dialog", { name: "API key" });
    await dialog.getByLabel("Key").fill(secret);
    await dialog.getByRole("button", { name: "Use key" }).click();
  }

  it("asks for a key, refuses a wrong one, and with an admin key creates, shows once and revokes a key", async () => {
    const { page, errors } = await studio.open("keys");
    const dialog = page.getByRole("dialog", { name: "API key" });
    await dialog.waitFor();
    await saveScreenshot(page, "keys-asks-for-key");

    await enterKey(page, "cbx-wrong-key");
    await dialog.getByRole("alert").waitFor();
    expect(await dialog.getByRole("alert").textContent()).to.match(/key/i);
    await saveScreenshot(page, "keys-wrong-key");

    await enterKey(page, adminSecret);
    await dialog.waitFor({ state: "hidden" });
    const table = page.getByRole("table");
    await table.getByRole("rowheader", { name: "studio-admin" }).waitFor();

    await page.getByLabel("Name", { exact: true }).fill("narrator");
    await page.getByRole("checkbox", { name: "tts", exact: true }).check();
    await page.getByLabel("Requests per minute").fill("60");
    await page.getByRole("button", { name: "Create key" }).click();
    const secretBox = page.getByRole("region", { name: "The new key's secret" });
    const secret = (await secretBox.locator("code").textContent())!.trim();
    expect(secret).to.match(/^cbx-/);
    expect(await secretBox.textContent()).to.include("Shown only this once");
    await table.getByRole("rowheader", { name: "narrator" }).waitFor();
    expect(await table.getByRole("row", { name: /narrator/ }).textContent()).to.include("60/min");
    await saveScreenshot(page, "keys-secret-shown");
    expect(await speak(secret)).to.equal(200);

    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.getByText(secret).count(), "the secret is gone once dismissed").to.equal(0);

    await page.getByRole("button", { name: "Revoke narrator" }).click();
    const confirm = page.getByRole("dialog", { name: 'Revoke the key "narrator"?' });
    await confirm.waitFor();
    await saveScreenshot(page, "keys-revoke-confirm");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await table
      .getByRole("row", { name: /narrator/ })
      .getByText(/^Revoked/)
      .waitFor();
    expect(await page.getByRole("button", { name: "Revoke narrator" }).count()).to.equal(0);
    expect(await speak(secret)).to.equal(401);
    await saveScreenshot(page, "keys-revoked");

    expect(errors.filter((error) => !REFUSED.test(error))).to.deep.equal([]);
    expect(errors.length, "the two refusals provoked on purpose").to.be.at.least(2);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.close();
  });

  it("explains that a key without admin cannot manage keys", async () => {
    const { secret } = studio.app.services.keys.create({ name: "reader", scopes: ["voices:read"] }, "test");
    const { page, errors } = await studio.open("keys");
    await enterKey(page, secret);
    await page.getByRole("alert").filter({ hasText: /admin/ }).waitFor();
    expect(await page.getByRole("main").textContent()).to.include("needs a key with the admin scope");
    await saveScreenshot(page, "keys-not-admin");
    const FORBIDDEN = /status of 403 \(Forbidden\)$/;
    expect(errors.filter((error) => !REFUSED.test(error) && !FORBIDDEN.test(error))).to.deep.equal([]);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.close();
  });
});
