import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { NotFoundError } from "../../../../src/domain/errors.js";
import { ApiKeyStore } from "../../../../src/services/auth/api-key-store.js";
import { AuditLog } from "../../../../src/services/auth/audit-log.js";
import { DATABASE_FILE, openDatabase, type Db } from "../../../../src/storage/db/database.js";

describe("services/auth/api-key-store", () => {
  let dir: string;
  let db: Db;
  let store: ApiKeyStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "keys-"));
    db = openDatabase(dir);
    store = new ApiKeyStore(db);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("hands out the secret once and keeps only its hash", async () => {
    const { key, secret } = store.create({ name: "ci", scopes: ["tts", "tts", "stt"] }, "cli");
    expect(secret).to.match(/^cbx-[A-Za-z0-9_-]{32}$/);
    expect(key).to.include({ name: "ci", prefix: secret.slice(0, 12), revokedAt: null });
    expect(key.scopes).to.deep.equal(["tts", "stt"]);
    db.pragma("wal_checkpoint(TRUNCATE)");
    expect((await readFile(join(dir, DATABASE_FILE))).includes(Buffer.from(secret))).to.equal(false);
    expect(store.authenticate(secret)?.id).to.equal(key.id);
    expect(store.authenticate(secret)?.lastUsedAt).to.be.a("string");
    expect(store.authenticate(`${secret}x`)).to.equal(undefined);
  });

  it("revokes by id or prefix at once, idempotently, and audits creation and revocation", () => {
    const first = store.create({ name: "a", scopes: ["tts"] }, "cli");
    const second = store.create({ name: "b", scopes: ["admin"] }, "admin-key");
    expect(store.revoke(first.key.id, "cli").revokedAt).to.be.a("string");
    expect(store.authenticate(first.secret)).to.equal(undefined);
    expect(store.revoke(second.key.prefix, "cli").revokedAt).to.be.a("string");
    expect(store.revoke(second.key.prefix, "cli").revokedAt).to.be.a("string");
    expect(store.hasActiveKeys()).to.equal(false);
    expect(() => store.revoke("cbx-nothing", "cli")).to.throw(NotFoundError);
    const entries = new AuditLog(db).recent(10).map(({ actor, action, target }) => [actor, action, target]);
    expect(entries).to.deep.equal([
      ["cli", "key.revoke", second.key.id],
      ["cli", "key.revoke", first.key.id],
      ["admin-key", "key.create", second.key.id],
      ["cli", "key.create", first.key.id],
    ]);
  });
});
