/**
 * Wires the database, the libraries and the services over one inference backend, as main.ts runs them and
 * the tests build them.
 */
import type { AppConfig } from "../config/app-config.js";
import type { InferenceBackend } from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { openDatabase, type Db } from "../storage/db/database.js";
import { Library } from "../storage/library/library.js";
import { OutputStore } from "../storage/output-store.js";
import { ReferenceVoiceStore } from "../storage/reference-voice-store.js";
import { LibraryCatalog } from "./library/library-catalog.js";
import { VcInputLibrary } from "./library/vc-input-library.js";
import { VoiceLibrary } from "./library/voice-library.js";
import { createMaintenanceService, type MaintenanceService } from "./maintenance/maintenance-service.js";
import { createOutputNamer } from "./output-name.js";
import { TtsOutputWriter } from "./tts/tts-output-writer.js";
import { TtsService } from "./tts/tts-service.js";

export interface Services {
  db: Db;
  library: Library;
  outputs: OutputStore;
  tts: TtsService;
  voices: VoiceLibrary;
  vcInputs: VcInputLibrary;
  outputLibrary: LibraryCatalog;
  /** Cleanups and disk usage; main.ts starts its schedule once the library index is ready. */
  maintenance: MaintenanceService;
  /**
   * Stops the cleanup schedule (a run in progress finishes first: it needs the index), stops rescanning and
   * closes the database.
   */
  close(): Promise<void>;
}

export function createServices(config: AppConfig, backend: InferenceBackend, log: Logger): Services {
  const db = openDatabase(config.paths.data);
  const library = new Library({
    db,
    roots: { voices: config.paths.referenceAudio, vc_inputs: config.paths.vcInputs, outputs: config.paths.outputs },
    rescanIntervalMs: config.library.rescanIntervalMs,
    log: log.child({ component: "library" }),
  });
  const voices = new VoiceLibrary(new LibraryCatalog(library.stores.voices));
  const outputs = new OutputStore(config.paths.outputs, (paths) => library.stores.outputs.indexNew(paths));
  const tts = new TtsService({
    backend,
    voices: new ReferenceVoiceStore(config.paths.referenceAudio),
    outputs,
    writer: new TtsOutputWriter(outputs, config.paths.temp),
    maxSegmentChars: config.inference.maxSegmentChars,
    inferenceTimeoutMs: config.api.inferenceTimeoutMs,
    namer: createOutputNamer(),
    random: Math.random,
    voiceHooks: voices,
  });
  const maintenance = createMaintenanceService(config, library.stores, log);
  return {
    db,
    library,
    outputs,
    tts,
    voices,
    vcInputs: new VcInputLibrary(new LibraryCatalog(library.stores.vc_inputs)),
    outputLibrary: new LibraryCatalog(library.stores.outputs),
    maintenance,
    close: async () => {
      await maintenance.stop();
      await library.stop();
      db.close();
    },
  };
}
