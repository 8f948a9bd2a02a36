import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { DATABASE_FILE, migrate, openDatabase, type Db } from "../../../src/storage/db/database.js";
import { MIGRATIONS } from "../../../src/storage/db/migrations.js";

const LATEST = MIGRATIONS.at(-1)!.version;

const userVersion = (db: Db) => db.pragma("user_version", { simple: true }) as number;
/** Every table, index, trigger and view with the SQL that made it. */
const schemaOf = (db: Db) => db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all();

describe("storage/db migrations", () => {
  let dir: string;
  const open: Db[] = [];
  const track = (db: Db): Db => {
    open.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "migrations-"));
  });
  afterEach(async () => {
    for (const db of open.splice(0)) if (db.open) db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("numbers the migrations 1, 2, 3, … with no gap, so user_version says exactly which ran", () => {
    expect(MIGRATIONS.map((m) => m.version)).to.deep.equal(MIGRATIONS.map((_, i) => i + 1));
  });

  it("brings a fresh database to the latest version with every table", () => {
    const db = track(openDatabase(dir));
    expect(userVersion(db)).to.equal(LATEST);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).to.include.members([
      "library_files",
      "library_search",
      "library_folders",
      "library_scans",
      "api_keys",
      "audit_log",
      "usage",
      "jobs",
      "job_segments",
      "job_events",
    ]);
    const keyColumns = db.prepare("SELECT name FROM pragma_table_info('api_keys')").pluck().all();
    expect(keyColumns).to.include.members(["requests_per_minute", "max_concurrent", "daily_chars"]);
    expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
  });

  it("changes nothing when run again, in the same connection or on reopening", () => {
    const db = track(openDatabase(dir));
    db.prepare("INSERT INTO library_scans (store, completed_ms) VALUES ('voices', 1)").run();
    const before = schemaOf(db);
    migrate(db, MIGRATIONS);
    expect(schemaOf(db)).to.deep.equal(before);
    expect(userVersion(db)).to.equal(LATEST);
    db.close();
    const again = track(openDatabase(dir));
    expect(schemaOf(again)).to.deep.equal(before);
    expect(again.prepare("SELECT completed_ms FROM library_scans").pluck().all()).to.deep.equal([1]);
  });

  it("upgrades an older database in place, keeping its rows, and marks indexed files for one re-read", () => {
    const db = track(new Database(join(dir, DATABASE_FILE)));
    migrate(db, MIGRATIONS.slice(0, 5));
    db.prepare(
      `INSERT INTO library_files (store, path, folder, filename, format, size_bytes, mtime_ms, created_ms, name,
         search_text) VALUES ('outputs', 'a.wav', '', 'a.wav', 'wav', 10, 123, 456, 'a', 'a.wav')`,
    ).run();
    migrate(db, MIGRATIONS);
    expect(userVersion(db)).to.equal(LATEST);
    const row = db.prepare("SELECT path, size_bytes, mtime_ms, created_ms FROM library_files").get();
    // A stamp no file has: the next scan re-reads the companion and takes the creation date from it.
    expect(row).to.deep.equal({ path: "a.wav", size_bytes: 10, mtime_ms: -1, created_ms: 456 });
  });

  it("refuses a database written by a newer server, naming both versions, and leaves it as it was", async () => {
    const newer = track(new Database(join(dir, DATABASE_FILE)));
    newer.pragma(`user_version = ${LATEST + 5}`);
    newer.close();
    expect(() => track(openDatabase(dir))).to.throw(
      `The database schema is version ${LATEST + 5}, newer than this server knows (${LATEST}); upgrade the server`,
    );
    // Closed again: a connection left open would keep its WAL files beside the database.
    expect(await readdir(dir)).to.deep.equal([DATABASE_FILE]);
    const db = track(new Database(join(dir, DATABASE_FILE)));
    expect(userVersion(db)).to.equal(LATEST + 5);
    expect(schemaOf(db)).to.deep.equal([]);
  });

  it("rolls a failing migration back whole and keeps the version of the last one that succeeded", () => {
    const db = track(new Database(join(dir, DATABASE_FILE)));
    const broken = [
      { version: 1, name: "first", sql: "CREATE TABLE first (a INTEGER);" },
      { version: 2, name: "broken", sql: "CREATE TABLE second (a INTEGER); INSERT INTO missing VALUES (1);" },
    ];
    expect(() => migrate(db, broken)).to.throw(/no such table: missing/);
    expect(userVersion(db)).to.equal(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).to.deep.equal(["first"]);
  });
});
