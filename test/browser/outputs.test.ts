/**
 * The Outputs section in Chromium against the real server: files made by TTS in three projects are listed
 * with their folders, one plays to its end, its details show how it was made, and deletes (one, then a
 * selection) go through a confirmation and remove the files from disk. The folder tree, the search box, the kind
 * and the date range each narrow the list to the files they name.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  overflowAtPhoneWidth,
  saveScreenshot,
  seriousAxeViolations,
  useStudio,
  expectCleanPage,
} from "../helpers/browser.js";

const PROJECTS = ["book/ch1", "book/ch2", "podcast"];

const DESKTOP = { width: 1280, height: 900 };

describe("studio Outputs section in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();
  /** The made files' paths below outputs/, one per project, in PROJECTS order. */
  let made: string[];

  before(async () => {
    made = [];
    for (const [index, project] of PROJECTS.entries())
      made.push(await speak(`Take ${index + 1} of ${project}.`, project));
  });

  async function speak(text: string, project: string): Promise<string> {
    const response = await fetch(`${studio.app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, project, export_formats: ["wav"] }),
    });
    expect(response.status).to.equal(200);
    const answer = (await response.json()) as { output_files: Array<{ path: string }> };
    return answer.output_files[0]!.path.replace(/^outputs\//, "");
  }

  const onDisk = (path: string) => existsSync(join(studio.app.config.paths.outputs, path));
  const nameOf = (path: string) => path.split("/").pop()!;

  it("lists, plays, describes and deletes generated files, one and then a selection", async () => {
    const { page, errors } = await studio.open("outputs");
    const table = page.getByRole("table", { name: "Generated files" });
    const rows = table.locator("tbody tr");
    await page.getByText("3 files").waitFor();
    expect(await rows.count()).to.equal(3);
    const tree = page.getByRole("navigation", { name: "Output folders" });
    for (const folder of ["book (2)", "ch1 (1)", "ch2 (1)", "podcast (1)"])
      await tree.getByRole("button", { name: folder, exact: true }).waitFor();
    await tree.getByRole("button", { name: "podcast (1)" }).click();
    await page.getByText("1 file in podcast").waitFor();
    await tree.getByRole("button", { name: /^All folders/ }).click();
    await page.getByText("3 files").waitFor();
    await saveScreenshot(page, "outputs-listed");
    const overflow = await overflowAtPhoneWidth(page);
    expect(overflow, "horizontal scrolling at a phone's width").to.be.at.most(0);
    await saveScreenshot(page, "outputs-listed-phone");
    await page.setViewportSize(DESKTOP);

    const first = nameOf(made[0]!);
    await page.getByRole("button", { name: `Play ${first}` }).click();
    const player = page.getByLabel(`Playing ${first}`);
    await player.waitFor();
    await page.waitForFunction(
      (label) => document.querySelector<HTMLAudioElement>(`audio[aria-label="${label}"]`)?.ended === true,
      `Playing ${first}`,
      { timeout: 30_000 },
    );

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: `Download ${first}` }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal(first);

    await page.getByRole("button", { name: `Details of ${first}` }).click();
    const details = page.getByRole("region", { name: `Details of ${first}` });
    await details.getByText("Take 1 of book/ch1.", { exact: true }).waitFor();
    expect(await details.getByText("espeak", { exact: true }).count()).to.equal(1);
    await saveScreenshot(page, "outputs-played-and-described");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);

    await page.getByRole("button", { name: `Delete ${first}` }).click();
    const single = page.getByRole("dialog", { name: "Delete 1 file?" });
    await saveScreenshot(page, "outputs-delete-confirmation");
    await single.getByRole("button", { name: "Delete 1 file" }).click();
    await page.getByText("Deleted 1 file. 2 files").waitFor();
    expect(await rows.count()).to.equal(2);
    expect(onDisk(made[0]!)).to.equal(false);

    await page.getByLabel("Select all files on this page").check();
    await page.getByRole("button", { name: "Delete selected (2)" }).click();
    const bulk = page.getByRole("dialog", { name: "Delete 2 files?" });
    await bulk.getByText("2 selected files").waitFor();
    await bulk.getByRole("button", { name: "Delete 2 files" }).click();
    await page.getByText("No files match.").waitFor();
    expect(made.map(onDisk)).to.deep.equal([false, false, false]);
    await saveScreenshot(page, "outputs-all-deleted");

    await expectCleanPage(page, errors);
    await page.close();
  });
});

describe("studio Outputs section in Chromium: narrowing the list", function () {
  this.timeout(240_000);
  const studio = useStudio();
  /** Names of the files made for this block: speech in two projects and a concatenation beside one of them. */
  const names = { chapter: "", show: "", episode: "episode-one.wav" };

  async function post(path: string, body: object): Promise<{ output_files: Array<{ filename: string; url: string }> }> {
    const response = await fetch(`${studio.app.baseUrl}${path}?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    return response.json();
  }

  before(async () => {
    const speak = async (text: string, project: string) =>
      (await post("/api/v1/tts", { text, project, export_formats: ["wav"] })).output_files[0]!;
    names.chapter = (await speak("The first chapter begins.", "book/ch1")).filename;
    const show = await speak("Welcome to the show.", "podcast");
    names.show = show.filename;
    const joined = await post("/api/v1/concat", {
      files: [show.url.replace(/^\/outputs\//, ""), "(500ms)"],
      project: "podcast",
      output_filename: names.episode,
    });
    expect(joined.output_files[0]!.filename).to.equal(names.episode);
  });

  /** What the table shows (file name and kind, by name) once the status line reads `status`. */
  async function listed(page: Page, status: string): Promise<Array<[string, string]>> {
    await page
      .getByRole("status")
      .filter({ hasText: new RegExp(`^\\s*${status}$`) })
      .waitFor();
    const rows = await page
      .getByRole("table", { name: "Generated files" })
      .locator("tbody tr")
      .evaluateAll((trs) =>
        (trs as HTMLTableRowElement[]).map((tr) => [tr.querySelector("th")!.textContent!, tr.cells[3]!.textContent!]),
      );
    return (rows as Array<[string, string]>).sort(([a], [b]) => a.localeCompare(b));
  }

  it("the folder tree, the search, the kind and the date range each narrow the list to what they name", async () => {
    const { page, errors } = await studio.open("outputs");
    const everything = [
      [names.episode, "concat"],
      [names.show, "tts"],
      [names.chapter, "tts"],
    ].sort(([a], [b]) => a!.localeCompare(b!));
    expect(await listed(page, "3 files")).to.deep.equal(everything);

    const tree = page.getByRole("navigation", { name: "Output folders" });
    await tree.getByRole("button", { name: "book (1)", exact: true }).click();
    expect(await listed(page, "1 file in book")).to.deep.equal([[names.chapter, "tts"]]);
    await tree.getByRole("button", { name: "podcast (2)", exact: true }).click();
    expect(await listed(page, "2 files in podcast")).to.deep.equal(
      everything.filter(([name]) => name !== names.chapter),
    );
    await saveScreenshot(page, "outputs-folder");
    await tree.getByRole("button", { name: /^All folders/ }).click();
    await listed(page, "3 files");

    const search = page.getByLabel("Search", { exact: true });
    await search.fill("episode");
    expect(await listed(page, "1 file")).to.deep.equal([[names.episode, "concat"]]);
    await saveScreenshot(page, "outputs-search");
    await search.fill("");
    await listed(page, "3 files");

    const kind = page.getByLabel("Kind", { exact: true });
    await kind.selectOption({ label: "Concatenation" });
    expect(await listed(page, "1 file")).to.deep.equal([[names.episode, "concat"]]);
    await kind.selectOption({ label: "Speech (TTS)" });
    expect(await listed(page, "2 files")).to.deep.equal(everything.filter(([, type]) => type === "tts"));
    await saveScreenshot(page, "outputs-kind");
    await kind.selectOption({ label: "Any" });
    await listed(page, "3 files");

    // Every file was made today: a range that ended long before lists none of them.
    const before = page.getByLabel("Made on or before");
    await before.fill("2001-01-31");
    expect(await listed(page, "0 files")).to.deep.equal([]);
    await page.getByText("No files match.").waitFor();
    await saveScreenshot(page, "outputs-date-range");
    await before.fill("");
    expect(await listed(page, "3 files")).to.deep.equal(everything);

    await expectCleanPage(page, errors);
    await page.close();
  });
});
