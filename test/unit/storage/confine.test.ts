import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { BadRequestError } from "../../../src/domain/errors.js";
import { cleanFileName, resolveInside, safeSegments } from "../../../src/storage/confine.js";

describe("storage/confine", () => {
  describe("cleanFileName", () => {
    it("keeps only the last part of a client's file name and cleans it like sanitize_filename (spec §4.3)", () => {
      expect(cleanFileName("C:\\fakepath\\my voice.wav", "x")).to.equal("my voice.wav");
      expect(cleanFileName("../../etc/passwd", "x")).to.equal("passwd");
      expect(cleanFileName(' .hidden:"a"?.wav. ', "x")).to.equal("hidden__a__.wav");
      expect(cleanFileName("..", "upload.wav")).to.equal("upload.wav");
      expect(cleanFileName("a\u0000b.wav", "x")).to.equal("ab.wav");
    });
  });

  describe("safeSegments", () => {
    it("keeps ordinary relative paths and drops empty and '.' segments", () => {
      expect(safeSegments("book/ch1", "project")).to.deep.equal(["book", "ch1"]);
      expect(safeSegments("./book//ch1/", "project")).to.deep.equal(["book", "ch1"]);
      expect(safeSegments("", "project")).to.deep.equal([]);
    });

    it("replaces characters unsafe in file names and trims dots and spaces, like the original API", () => {
      expect(safeSegments("my proj:1/ch?", "project")).to.deep.equal(["my proj_1", "ch_"]);
      expect(safeSegments(" .hidden. /x", "project")).to.deep.equal(["hidden", "x"]);
    });

    it("rejects traversal, absolute paths, backslashes and NUL bytes with INVALID_PATH naming the field", () => {
      for (const bad of ["..", "a/../b", "/etc/passwd", "C:\\Windows", "a\u0000b", "...", "a\\b", "..\\..\\etc"]) {
        try {
          safeSegments(bad, "project");
          expect.fail(`accepted ${JSON.stringify(bad)}`);
        } catch (error) {
          expect(error).to.be.instanceOf(BadRequestError);
          expect((error as BadRequestError).code).to.equal("INVALID_PATH");
          expect((error as Error).message).to.include("'project'");
        }
      }
    });
  });

  describe("resolveInside", () => {
    let dir: string;
    let root: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "confine-"));
      root = join(dir, "root");
      await mkdir(join(root, "inner"), { recursive: true });
      await writeFile(join(dir, "outside.txt"), "x");
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("resolves paths that do not exist yet below the root", async () => {
      const resolved = await resolveInside(root, "new/deeper/file.wav", "path");
      expect(resolved).to.deep.equal({ absolute: join(root, "new/deeper/file.wav"), relative: "new/deeper/file.wav" });
    });

    it("follows symlinks that stay inside and rejects those that leave, even below a new name", async () => {
      await symlink(join(root, "inner"), join(root, "alias"));
      await symlink(dir, join(root, "escape"));
      expect((await resolveInside(root, "alias/x.wav", "path")).absolute).to.equal(join(root, "alias/x.wav"));
      for (const path of ["escape/outside.txt", "escape/not-yet/file.wav"]) {
        const error = await resolveInside(root, path, "path").catch((e: unknown) => e);
        expect(error, path).to.be.instanceOf(BadRequestError);
      }
    });
  });
});
