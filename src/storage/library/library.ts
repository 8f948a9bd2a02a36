/**
 * The three libraries over one index: reference_audio/ (voices), vc_inputs/ and outputs/. At start each is
 * walked once (cheap when the index is warm); then a rescan every `rescanIntervalMs` picks up what other
 * programs added, removed or renamed on disk, and every FULL_WALK_EVERY_MS a complete walk also catches
 * files rewritten in place (which leave their folder's mtime alone). Listings of a library answer 503 until
 * its first complete walk, so a cold index never serves a partial picture.
 */
import type { Db } from "../db/database.js";
import type { Logger } from "../../logging.js";
import { probeAudio, NotAudioError } from "../../audio/probe.js";
import type { AudioFacts, LibraryKind } from "./library-entry.js";
import { LibraryIndex } from "./library-index.js";
import { LibraryScanner, type AudioProber } from "./library-scanner.js";
import { LibraryStore } from "./library-store.js";

export const LIBRARY_KINDS: readonly LibraryKind[] = ["voices", "vc_inputs", "outputs"];

/** How often the periodic rescan is a complete walk (stamps of every file compared). */
const FULL_WALK_EVERY_MS = 10 * 60_000;

export interface LibraryOptions {
  db: Db;
  roots: Record<LibraryKind, string>;
  rescanIntervalMs: number;
  log: Logger;
  /** Measures files without audio facts in their companion; ffprobe by default. */
  probe?: AudioProber;
}

export interface LibraryStatus {
  state: "indexing" | "ready";
  files: Record<LibraryKind, number>;
  lastScanAt: string | null;
}

/** ffprobe's facts, or null facts and a warning for the listing when the file cannot be measured. */
export const probeForIndex: AudioProber = async (path) => {
  try {
    const probed = await probeAudio(path);
    return { durationSeconds: probed.durationSeconds, sampleRate: probed.sampleRate };
  } catch (error) {
    const reason = error instanceof NotAudioError ? error.reason : "it could not be measured";
    const none: AudioFacts = { durationSeconds: null, sampleRate: null };
    return { ...none, warning: `its duration is unknown: ${reason}` };
  }
};

export class Library {
  readonly stores: Record<LibraryKind, LibraryStore>;
  private readonly scanners: Record<LibraryKind, LibraryScanner>;
  private readonly index: LibraryIndex;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private lastScanAt: Date | undefined;
  private lastFullWalkAt = 0;
  private indexing = false;
  private stopped = false;

  constructor(private readonly options: LibraryOptions) {
    this.index = new LibraryIndex(options.db);
    this.log = options.log;
    const probe = options.probe ?? probeForIndex;
    const build = (kind: LibraryKind) => {
      const scanner = new LibraryScanner({
        kind,
        root: options.roots[kind],
        index: this.index,
        probe,
        log: options.log,
      });
      return { scanner, store: new LibraryStore({ kind, root: options.roots[kind], index: this.index, scanner }) };
    };
    const built = Object.fromEntries(LIBRARY_KINDS.map((kind) => [kind, build(kind)])) as Record<
      LibraryKind,
      ReturnType<typeof build>
    >;
    this.scanners = Object.fromEntries(LIBRARY_KINDS.map((k) => [k, built[k].scanner])) as typeof this.scanners;
    this.stores = Object.fromEntries(LIBRARY_KINDS.map((k) => [k, built[k].store])) as typeof this.stores;
  }

  /** Walks every library once, then keeps rescanning. Resolves when the first walk is done. */
  start(): Promise<void> {
    this.indexing = true;
    this.scanning = this.scanAll("full").finally(() => {
      this.indexing = false;
      this.schedule();
    });
    return this.scanning;
  }

  /** Stops rescanning; resolves when a scan in progress has finished. */
  async stop(): Promise<void> {
    // A scan in progress re-arms the timer when it ends; this keeps it from doing so.
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** Rescans now (what the periodic timer does); for tests and after bulk changes made outside the API. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scanAll("changed"));
    return this.scanning;
  }

  status(): LibraryStatus {
    const ready = !this.indexing && LIBRARY_KINDS.every((kind) => this.stores[kind].ready);
    return {
      state: ready ? "ready" : "indexing",
      files: Object.fromEntries(LIBRARY_KINDS.map((kind) => [kind, this.index.count(kind)])) as Record<
        LibraryKind,
        number
      >,
      lastScanAt: this.lastScanAt?.toISOString() ?? null,
    };
  }

  private schedule(): void {
    if (this.stopped || this.options.rescanIntervalMs <= 0) return;
    this.timer = setTimeout(() => {
      const mode = Date.now() - this.lastFullWalkAt >= FULL_WALK_EVERY_MS ? "full" : "changed";
      this.scanning = this.scanAll(mode).finally(() => this.schedule());
    }, this.options.rescanIntervalMs);
    this.timer.unref();
  }

  private async scanAll(mode: "full" | "changed"): Promise<void> {
    for (const kind of LIBRARY_KINDS) {
      const scanner = this.scanners[kind];
      try {
        const report = await this.stores[kind].exclusive(() =>
          mode === "full" ? scanner.fullScan() : scanner.rescan(),
        );
        if (mode === "full" || report.filesIndexed + report.filesRemoved > 0) {
          this.log.info(
            { library: kind, mode, ...report, durationMs: Math.round(report.durationMs) },
            "library scanned",
          );
        }
      } catch (error) {
        this.log.error({ err: error, library: kind, mode }, "library scan failed");
      }
    }
    this.lastScanAt = new Date();
    if (mode === "full") this.lastFullWalkAt = this.lastScanAt.getTime();
  }
}
