/**
 * The database schema, as numbered migrations. A migration, once shipped, is never edited: a change is a new
 * migration appended at the end. `PRAGMA user_version` records the last one applied.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "library index",
    sql: `
      -- One row per audio file of the three libraries (voices, VC inputs, outputs). The files and their
      -- companion JSON on disk are the truth; this is an index rebuilt and reconciled from them.
      CREATE TABLE library_files (
        id INTEGER PRIMARY KEY,
        store TEXT NOT NULL CHECK (store IN ('voices', 'vc_inputs', 'outputs')),
        path TEXT NOT NULL,               -- relative to the store's root, '/'-separated
        folder TEXT NOT NULL,             -- the path's folder, '' at the root
        filename TEXT NOT NULL,
        format TEXT NOT NULL,             -- the extension, lower case
        size_bytes INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        created_ms REAL NOT NULL,
        companion_mtime_ms REAL,          -- NULL: no companion file
        companion TEXT,                   -- the companion's JSON object, NULL when absent or unreadable
        warning TEXT,                     -- why the companion could not be used; shown in listings
        duration_seconds REAL,
        sample_rate INTEGER,
        name TEXT NOT NULL,               -- display name: the companion's name, else the file stem
        generation_type TEXT,             -- outputs: tts, vc, concat, mixed or unknown
        tags TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
        usage_count INTEGER NOT NULL DEFAULT 0,
        last_used TEXT,
        search_text TEXT NOT NULL,        -- lower-cased text that 'search' matches against
        UNIQUE (store, path)
      );
      CREATE INDEX library_files_folder ON library_files (store, folder, created_ms);
      CREATE INDEX library_files_created ON library_files (store, created_ms);
      CREATE INDEX library_files_filename ON library_files (store, filename);
      CREATE INDEX library_files_name ON library_files (store, name);

      -- Substring search: trigrams answer LIKE '%term%' without scanning every row.
      CREATE VIRTUAL TABLE library_search USING fts5(
        search_text, content = 'library_files', content_rowid = 'id', tokenize = 'trigram'
      );
      CREATE TRIGGER library_files_ai AFTER INSERT ON library_files BEGIN
        INSERT INTO library_search (rowid, search_text) VALUES (new.id, new.search_text);
      END;
      CREATE TRIGGER library_files_ad AFTER DELETE ON library_files BEGIN
        INSERT INTO library_search (library_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      END;
      CREATE TRIGGER library_files_au AFTER UPDATE OF search_text ON library_files BEGIN
        INSERT INTO library_search (library_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO library_search (rowid, search_text) VALUES (new.id, new.search_text);
      END;

      -- Every folder, empty ones included (voices keep empty folders as categories). The modification time
      -- lets a rescan skip folders whose entries did not change.
      CREATE TABLE library_folders (
        store TEXT NOT NULL,
        path TEXT NOT NULL,               -- '' is the root
        mtime_ms REAL NOT NULL,
        PRIMARY KEY (store, path)
      ) WITHOUT ROWID;

      -- When each library was last walked completely: until then its index is not a complete picture.
      CREATE TABLE library_scans (
        store TEXT PRIMARY KEY,
        completed_ms REAL NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: "api keys and the audit log",
    sql: `
      -- API keys (docs/api/keys.md). Only a SHA-256 of the secret is kept: the secret is shown once, at creation.
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,             -- the secret's first characters, to recognise a key in lists and logs
        secret_sha256 TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,             -- JSON array of scope names
        created_ms REAL NOT NULL,
        revoked_ms REAL,                  -- NULL while the key works
        last_used_ms REAL
      );

      -- What administrators did (keys created and revoked), newest last.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at_ms REAL NOT NULL,
        actor TEXT NOT NULL,              -- the acting key's id, or 'cli'
        action TEXT NOT NULL,             -- e.g. 'key.create', 'key.revoke'
        target TEXT NOT NULL,
        detail TEXT                       -- JSON object, NULL when there is nothing more to say
      );
    `,
  },
  {
    version: 3,
    name: "usage",
    sql: `
      -- One row per request (HTTP, or a realtime WebSocket session), written when it ends however it ends.
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        at_ms REAL NOT NULL,              -- when the request arrived
        request_id TEXT NOT NULL,
        key_id TEXT,                      -- the API key; NULL while keys are off or for a request without one
        endpoint TEXT NOT NULL,           -- the route, e.g. 'POST /api/v1/tts'; 'WS /v1/audio/speech/ws' for sessions
        status INTEGER NOT NULL,          -- the HTTP status; 499 when the client went away first
        error_code TEXT,
        engine TEXT,
        voice TEXT,
        format TEXT,
        stream_mode TEXT,
        input_chars INTEGER NOT NULL DEFAULT 0,
        input_audio_ms INTEGER NOT NULL DEFAULT 0,
        output_audio_ms INTEGER NOT NULL DEFAULT 0,
        bytes_out INTEGER NOT NULL DEFAULT 0,
        ttfb_ms REAL,                     -- to the first byte of the body; NULL when none was sent
        duration_ms REAL NOT NULL,
        cost REAL NOT NULL DEFAULT 0
      );
      CREATE INDEX usage_by_time ON usage (at_ms);
      CREATE INDEX usage_by_key ON usage (key_id, at_ms);
    `,
  },
  {
    version: 4,
    name: "per-key limits",
    sql: `
      -- NULL = no limit of that kind for the key.
      ALTER TABLE api_keys ADD COLUMN requests_per_minute INTEGER;
      ALTER TABLE api_keys ADD COLUMN max_concurrent INTEGER;
      ALTER TABLE api_keys ADD COLUMN daily_chars INTEGER;
    `,
  },
  {
    version: 5,
    name: "long-form jobs",
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('tts', 'vc', 'concat')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled')),
        request TEXT NOT NULL,            -- the request body as submitted (JSON)
        project TEXT,                     -- the request's output folder, for filtering
        key_id TEXT,                      -- the API key that submitted it; NULL with keys off
        seed INTEGER,                     -- TTS: the base seed, fixed at submission so a resumed job sounds the same
        chapters TEXT,                    -- TTS: 'm4b' or 'mp3' for a book with chapter marks; NULL for none
        split_chapters INTEGER NOT NULL DEFAULT 0,  -- TTS: 1 = each chapter also published as files of its own
        webhook_url TEXT,
        webhook_secret TEXT,
        plan TEXT,                        -- TTS: what planning found (JSON), set when it first runs
        segments_total INTEGER NOT NULL DEFAULT 0,
        segments_done INTEGER NOT NULL DEFAULT 0,
        audio_seconds REAL NOT NULL DEFAULT 0,   -- of the finished segments
        render_ms REAL NOT NULL DEFAULT 0,       -- time spent rendering them, for the ETA
        synthesis TEXT,                   -- what the engine reported over every call (JSON)
        warnings TEXT NOT NULL DEFAULT '[]',
        result TEXT,                      -- when succeeded: the files and their versions (JSON)
        error TEXT,                       -- when failed: code and message (JSON)
        created_ms REAL NOT NULL,
        updated_ms REAL NOT NULL,
        finished_ms REAL,
        segments_removed_ms REAL          -- when the finished job's segment audio was removed (retention); NULL = kept
      );
      CREATE INDEX jobs_by_state ON jobs (state, created_ms);
      CREATE INDEX jobs_by_key ON jobs (key_id, created_ms);

      -- TTS jobs: one row per segment; its audio is a file in the job's work folder while state is 'done'.
      CREATE TABLE job_segments (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,               -- as spoken (lower-cased with to_lowercase)
        display_text TEXT NOT NULL,       -- in the text's own case, for captions
        chapter INTEGER,                  -- index into the plan's chapters; NULL without chapters
        seed INTEGER NOT NULL,            -- the base its tries' seeds derive from (the job's, or one set by a re-render)
        overrides TEXT NOT NULL DEFAULT '{}',  -- parameters set by a re-render (JSON)
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        duration_seconds REAL,
        outcome TEXT,                     -- every try, its transcript and score, and the one kept (JSON)
        renders INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, idx)
      );

      -- Server-Sent Events of each job, kept so a client can resume with Last-Event-ID.
      CREATE TABLE job_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        at_ms REAL NOT NULL
      );
      CREATE INDEX job_events_by_job ON job_events (job_id, id);
    `,
  },
  {
    version: 6,
    name: "library dates from companions",
    sql: `
      -- created_ms now comes from the companion's created_date/created_at (the date listings show) where it
      -- has one. No stamp matches a real file any more, so the next scan re-reads every companion once.
      UPDATE library_files SET mtime_ms = -1;
    `,
  },
];
