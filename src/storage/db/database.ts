/**
 * The one embedded database (design.md §7): SQLite through better-sqlite3 in `paths.data`, in WAL mode so
 * readers never wait for the writer. It holds indexes and records; files on disk stay the truth for audio
 * and companions. Schema changes are numbered migrations applied once, in order, at open.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, type Migration } from "./migrations.js";

export type Db = Database.Database;

/** The database file inside the data folder. */
export const DATABASE_FILE = "chatterbox.sqlite";

/** Opens (creating if needed) the database in `dataDir` and brings its schema up to date. */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma("journal_mode = WAL");
  // WAL makes NORMAL safe against corruption; a power cut may only lose the last transactions.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  try {
    migrate(db, migrations);
  } catch (error) {
    // Refused or failed: close, so the caller is left with no open handle (nor WAL files) it cannot reach.
    db.close();
    throw error;
  }
  return db;
}

/** Applies every migration newer than the schema version stored in the file, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `The database schema is version ${current}, newer than this server knows (${newest}); upgrade the server`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
