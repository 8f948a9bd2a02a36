/** `npm run keys` as its own process against a temp config: create, list, revoke, and usage errors. */
import { fileURLToPath } from "node:url";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { ApiKeyStore } from "../../../src/services/auth/api-key-store.js";
import { openDatabase } from "../../../src/storage/db/database.js";
import { makeDataDir } from "../../helpers/test-app.js";

const CLI = fileURLToPath(new URL("../../../src/cli/keys.js", import.meta.url));

describe("npm run keys (CLI)", () => {
  let dir: string;
  let dataDir: string;
  before(async () => {
    const data = await makeDataDir();
    dir = data.dir;
    dataDir = data.config.paths.data;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const keys = (...args: string[]) =>
    execa(process.execPath, [CLI, ...args], { env: { CONFIG: join(dir, "config.yaml") }, reject: false });

  it("creates a key whose secret works, lists it without the secret, and revokes it by prefix", async () => {
    const created = await keys(
      "create",
      "--name",
      "studio",
      "--scopes",
      "tts,voices:read",
      "--rpm",
      "30",
      "--daily-chars",
      "5000",
    );
    expect(created.exitCode, created.stderr).to.equal(0);
    const secret = /secret \(shown once, store it now\): (\S+)/.exec(created.stdout)![1]!;
    const db = openDatabase(dataDir);
    try {
      const store = new ApiKeyStore(db);
      const key = store.authenticate(secret)!;
      expect(key).to.include({ name: "studio" });
      expect(key.scopes).to.deep.equal(["tts", "voices:read"]);
      expect(key.limits).to.deep.equal({ requestsPerMinute: 30, maxConcurrent: null, dailyChars: 5000 });
      const listed = await keys("list");
      expect(listed.stdout).to.include(key.prefix).and.include("[tts, voices:read]  30/min, 5000 chars/day");
      expect(listed.stdout).to.not.include(secret);
      expect((await keys("revoke", key.prefix)).stdout).to.match(/^revoked: /);
      expect(store.authenticate(secret)).to.equal(undefined);
    } finally {
      db.close();
    }
  });

  it("explains bad usage with exit code 2 and changes nothing", async () => {
    const before = (await keys("list")).stdout;
    const attempts = [
      ["create", "--name", "x", "--scopes", "fly"],
      ["create", "--name", "x", "--scopes", "tts", "--rpm", "0"],
      ["create", "--scopes", "tts"],
      ["revoke", "nope"],
      [],
    ];
    for (const args of attempts) {
      const result = await keys(...args);
      expect(result.exitCode, args.join(" ")).to.equal(2);
      expect(result.stderr).to.include("usage: npm run keys --");
    }
    expect((await keys("list")).stdout).to.equal(before);
  });
});
