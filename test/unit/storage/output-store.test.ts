import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { OutputStore } from "../../../src/storage/output-store.js";

describe("storage/OutputStore", () => {
  let dir: string;
  let store: OutputStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "outputs-"));
    store = new OutputStore(join(dir, "outputs"));
    await writeFile(join(dir, "a.wav"), "wav bytes");
    await writeFile(join(dir, "a.mp3"), "mp3 bytes");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const files = () => [
    { format: "wav", sourcePath: join(dir, "a.wav") },
    { format: "mp3", sourcePath: join(dir, "a.mp3") },
  ];

  it("publishes every format under one stem with a companion each, and URLs that escape names", async () => {
    const folder = await store.folder("my book/ch 1");
    const published = await store.publish({
      folder,
      files: files(),
      stemFor: () => "tts_x",
      metadataFor: (p) => ({ n: p.length }),
    });
    expect(published.map((p) => p.url)).to.deep.equal([
      "/outputs/my%20book/ch%201/tts_x.wav",
      "/outputs/my%20book/ch%201/tts_x.mp3",
    ]);
    expect((await readdir(folder.absolute)).sort()).to.deep.equal([
      "tts_x.mp3",
      "tts_x.mp3.json",
      "tts_x.wav",
      "tts_x.wav.json",
    ]);
    expect(await readFile(join(folder.absolute, "tts_x.mp3"), "utf8")).to.equal("mp3 bytes");
    expect(JSON.parse(await readFile(join(folder.absolute, "tts_x.wav.json"), "utf8"))).to.deep.equal({ n: 2 });
  });

  it("never overwrites: a taken name makes it try the next stem and leaves no partial files", async () => {
    const folder = await store.folder(undefined);
    await writeFile(join(folder.absolute, "taken.mp3"), "someone else's");
    const stems = ["taken", "free"];
    const published = await store.publish({
      folder,
      files: files(),
      stemFor: (attempt) => stems[attempt]!,
      metadataFor: () => ({}),
    });
    expect(published.map((p) => p.filename)).to.deep.equal(["free.wav", "free.mp3"]);
    expect(await readFile(join(folder.absolute, "taken.mp3"), "utf8")).to.equal("someone else's");
    expect((await readdir(folder.absolute)).sort()).to.deep.equal([
      "free.mp3",
      "free.mp3.json",
      "free.wav",
      "free.wav.json",
      "taken.mp3",
    ]);
  });
});
