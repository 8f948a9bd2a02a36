/**
 * Wires the database, the libraries and the services over one inference backend, as main.ts runs them and
 * the tests build them.
 */
import { concatenate } from "../audio/concat/concatenate.js";
import type { AppConfig } from "../config/app-config.js";
import type { InferenceBackend, LoadedEngines } from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { openDatabase, type Db } from "../storage/db/database.js";
import { Library } from "../storage/library/library.js";
import { OutputStore } from "../storage/output-store.js";
import { NamedAudioStore } from "../storage/named-audio-store.js";
import { AudioSources } from "./audio-sources.js";
import { ApiKeyStore } from "./auth/api-key-store.js";
import { AuditLog } from "./auth/audit-log.js";
import { KeyLimiter } from "./auth/key-limiter.js";
import { UsageLog } from "./usage/usage-log.js";
import { UsageStats } from "./usage/usage-stats.js";
import { ConcatService } from "./concat/concat-service.js";
import { libraryReplacer } from "./concat/concat-target.js";
import { LibraryCatalog } from "./library/library-catalog.js";
import { VcInputLibrary } from "./library/vc-input-library.js";
import { VoiceLibrary } from "./library/voice-library.js";
import { createMaintenanceService, type MaintenanceService } from "./maintenance/maintenance-service.js";
import { ModelCatalog } from "./openai/model-catalog.js";
import { VoiceDirectory } from "./openai/voice-directory.js";
import { VoiceResolver } from "./openai/voice-resolver.js";
import { createOutputNamer } from "./output-name.js";
import { OutputWriter } from "./output-writer.js";
import { TranscriptionService } from "./stt/transcription-service.js";
import { TtsService } from "./tts/tts-service.js";
import { createJobService } from "./jobs/create-job-service.js";
import type { JobRequestParsers, JobService } from "./jobs/job-service.js";
import { VcService } from "./vc/vc-service.js";

export interface Services {
  db: Db;
  library: Library;
  outputs: OutputStore;
  tts: TtsService;
  /** The engines the sidecar holds (503 while it is not ready). */
  engines(): Promise<LoadedEngines>;
  vc: VcService;
  /** Joining audio files, uploads and silences. */
  concat: ConcatService;
  /** Speech recognition of uploads (OpenAI's transcription routes, VC input text). */
  stt: TranscriptionService;
  voices: VoiceLibrary;
  /** The `voice` of OpenAI-style requests → a library voice or a configured alias. */
  voiceResolver: VoiceResolver;
  /** The models of /v1/models and the `model` check of /v1/audio/speech. */
  modelCatalog: ModelCatalog;
  /** /v1/audio/voices: library voices and aliases, and voice creation. */
  voiceDirectory: VoiceDirectory;
  vcInputs: VcInputLibrary;
  outputLibrary: LibraryCatalog;
  /** API keys and the audit log of what administrators did (the libraries and cleanups write to it too). */
  keys: ApiKeyStore;
  audit: AuditLog;
  /** One row per request, and the usage queries. */
  usage: UsageLog;
  /** Durations and failures read back from the usage rows (GET /api/v1/metrics, /api/v1/errors/*). */
  usageStats: UsageStats;
  /** Per-key request rates, concurrency and daily characters. */
  limiter: KeyLimiter;
  /** Long-form jobs; main.ts starts them (resuming interrupted ones) once the server listens. */
  jobs: JobService;
  /** Cleanups and disk usage; main.ts starts its schedule once the library index is ready. */
  maintenance: MaintenanceService;
  /**
   * Stops the cleanup schedule (a run in progress finishes first: it needs the index), stops rescanning and
   * closes the database.
   */
  close(): Promise<void>;
}

/**
 * @param parsers the synchronous endpoints' request validation, which jobs apply to their `request` at
 *   submission and again at every run
 */
export function createServices(
  config: AppConfig,
  backend: InferenceBackend,
  log: Logger,
  parsers: JobRequestParsers,
): Services {
  const db = openDatabase(config.paths.data);
  const audit = new AuditLog(db);
  const library = new Library({
    db,
    roots: { voices: config.paths.referenceAudio, vc_inputs: config.paths.vcInputs, outputs: config.paths.outputs },
    rescanIntervalMs: config.library.rescanIntervalMs,
    log: log.child({ component: "library" }),
  });
  const voices = new VoiceLibrary(new LibraryCatalog(library.stores.voices, audit));
  const outputs = new OutputStore(config.paths.outputs, (paths) => library.stores.outputs.indexNew(paths));
  const shared = {
    backend,
    voices: new NamedAudioStore(config.paths.referenceAudio, "reference_audio"),
    sources: new AudioSources({ urlSources: config.urlSources, tempRoot: config.paths.temp }),
    outputs,
    writer: new OutputWriter({ outputs, tempRoot: config.paths.temp, encoding: config.audio }),
    inferenceTimeoutMs: config.api.inferenceTimeoutMs,
    namer: createOutputNamer(),
    voiceHooks: voices,
  };
  const tts = new TtsService({
    ...shared,
    maxSegmentChars: config.inference.maxSegmentChars,
    random: Math.random,
    verifyMaxWer: config.stt.verifyMaxWer,
  });
  const vc = new VcService({ ...shared, inputs: new NamedAudioStore(config.paths.vcInputs, "vc_inputs") });
  const concat = new ConcatService({
    outputs,
    writer: shared.writer,
    namer: shared.namer,
    replacer: libraryReplacer(library.stores.outputs),
    tempRoot: config.paths.temp,
    layout: { sampleRate: config.concat.sampleRate, channels: config.concat.channels },
    concatenate,
    random: Math.random,
  });
  const stt = new TranscriptionService({ backend, defaultModel: config.stt.defaultModel });
  const maintenance = createMaintenanceService(config, library.stores, { log, audit });
  const aliases = config.openai.voiceAliases;
  const voiceResolver = new VoiceResolver({ voices, aliases });
  // When this server began serving its models and aliases: the `created` of /v1/models and the aliases' `created_at`.
  const servingSince = Math.floor(Date.now() / 1000);
  const usage = new UsageLog(db, config.usage);
  const jobs = createJobService({ config, db, tts, vc, concat, sources: shared.sources, outputs, parsers, usage, log });
  return {
    db,
    keys: new ApiKeyStore(db),
    audit,
    usage,
    usageStats: new UsageStats(db),
    limiter: new KeyLimiter({ charsSince: (keyId, sinceMs) => usage.charsSince(keyId, sinceMs) }),
    library,
    outputs,
    tts,
    engines: () => backend.engines(),
    vc,
    concat,
    stt,
    voices,
    voiceResolver,
    modelCatalog: new ModelCatalog({
      backend,
      modelEngines: config.openai.modelEngines,
      defaultTranscriptionModel: config.stt.defaultModel,
      createdAt: servingSince,
    }),
    voiceDirectory: new VoiceDirectory({ voices, resolver: voiceResolver, aliases, createdAt: servingSince }),
    vcInputs: new VcInputLibrary(new LibraryCatalog(library.stores.vc_inputs, audit), {
      stt,
      maxSeconds: config.stt.vcInputMaxSeconds,
    }),
    outputLibrary: new LibraryCatalog(library.stores.outputs, audit),
    maintenance,
    jobs,
    close: async () => {
      await jobs.stop();
      await maintenance.stop();
      await library.stop();
      db.close();
    },
  };
}
