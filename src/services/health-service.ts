/**
 * GET /api/v1/health: whether the server can speak right now, with which engine on which device, the
 * sidecar's process state and queue, and every warning worth a human's attention (e.g. why `auto` fell
 * back to piper or espeak, or that the sidecar restarted after a crash). Unauthenticated, so it states facts only:
 * no log lines, paths or request ids (those are in the server log).
 */
import type { InferenceBackend, ModelInfo, TranscriptionModels, WorkerStatus } from "../domain/inference.js";
import type { SupervisorSnapshot } from "../sidecar/supervisor-snapshot.js";
import type { LibraryStatus } from "../storage/library/library.js";

export interface HealthReport {
  /** `healthy`: inference works; `starting`: (re)starting or loading; `unavailable`: failed or stopped. */
  status: "healthy" | "starting" | "unavailable";
  version: string;
  uptime_seconds: number;
  /** The default engine: it speaks when a request names none. */
  engine: EngineReport | null;
  /** Every loaded engine (the default first); requests may name any of them. */
  engines: EngineReport[];
  /** Engines config `inference.engines` asks for that are not loaded, and why. */
  unavailable_engines: Array<{ name: string; reason: string }>;
  models_loaded: { tts: boolean; vc: boolean };
  sidecar: {
    state: string;
    pid: number | null;
    address: string | null;
    restarts: number;
    started_at: string | null;
    last_exit: SupervisorSnapshot["lastExit"];
    /** Why the last start attempt failed (a stable reason such as `exited` or `load_failed`). */
    last_start_failure: SupervisorSnapshot["lastStartFailure"];
    /** When the supervisor tries again while `restarting` or `failed`. */
    next_attempt_at: string | null;
  };
  queue: { state: string; depth: number; capacity: number } | null;
  /** Speech recognition (Whisper) in the sidecar; null while the sidecar is not ready. */
  stt: {
    available: boolean;
    version: string;
    /** What `whisper-1` and an unset model mean: the largest installed model unless config names one. */
    default_model: string;
    models: Array<{ name: string; installed: boolean; loaded: boolean; multilingual: boolean }>;
    memory_budget_mb: number;
  } | null;
  /** The library index: `indexing` until every library was walked once (listings answer 503 until then). */
  library: { state: string; files: Record<string, number>; last_scan_at: string | null };
  warnings: string[];
}

export interface EngineReport {
  name: string;
  variant: string | null;
  version: string;
  device: string;
  sample_rate: number;
  voice_conversion: boolean;
  watermarked: boolean;
  stretch_libraries: string[];
  /** How the engine uses a reference or target voice (neural cloning, or a signal-level shift). */
  voice_method: string;
  /** The engine's own voice model and its licence (piper); null when it has none. */
  voice: { name: string; licence: string } | null;
  /** Memory it took when it loaded, in MiB; 0 when not measurable. */
  memory_mb: number;
}

export interface HealthSource {
  snapshot(): SupervisorSnapshot;
  backend: InferenceBackend;
}

/** What health reports of the library index. */
export interface LibrarySource {
  status(): LibraryStatus;
}

export interface HealthReporterOptions {
  sidecar: HealthSource;
  library: LibrarySource;
  version: string;
  startedAt: number;
  /** config `inference.max_segment_chars`, compared with the engine's own limit. */
  maxSegmentChars: number;
}

const STARTING_STATES = new Set(["starting", "loading", "restarting"]);

export function createHealthReporter({ sidecar, library, version, startedAt, maxSegmentChars }: HealthReporterOptions) {
  return async function healthReport(): Promise<HealthReport> {
    const snap = sidecar.snapshot();
    const ready = snap.state === "ready";
    const queue = ready ? await sidecar.backend.status({ timeoutMs: 2000 }).catch(() => undefined) : undefined;
    const stt = ready
      ? await sidecar.backend.transcriptionModels({ timeoutMs: 2000 }).catch(() => undefined)
      : undefined;
    const engines = ready ? snap.engines : null;
    const info = engines?.default ?? null;
    return {
      status: ready ? "healthy" : STARTING_STATES.has(snap.state) ? "starting" : "unavailable",
      version,
      uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      engine: info ? describeEngine(info) : null,
      engines: engines?.loaded.map(describeEngine) ?? [],
      unavailable_engines: engines?.unavailable.map(({ engine, reason }) => ({ name: engine, reason })) ?? [],
      models_loaded: { tts: info !== null, vc: info?.voiceConversion ?? false },
      sidecar: {
        state: snap.state,
        pid: snap.pid,
        address: snap.address,
        restarts: snap.restarts,
        started_at: snap.startedAt,
        last_exit: snap.lastExit,
        last_start_failure: snap.lastStartFailure,
        next_attempt_at: snap.nextAttemptAt,
      },
      queue: queue ? describeQueue(queue) : null,
      stt: stt ? describeStt(stt) : null,
      library: describeLibrary(library.status()),
      warnings: [...healthWarnings(snap, { statusFailed: ready && !queue, maxSegmentChars }), ...sttWarnings(stt)],
    };
  };
}

function describeEngine(info: ModelInfo): EngineReport {
  return {
    name: info.engine,
    variant: info.variant ?? null,
    version: info.engineVersion,
    device: info.device,
    sample_rate: info.sampleRate,
    voice_conversion: info.voiceConversion,
    watermarked: info.watermarked,
    stretch_libraries: info.stretchLibraries,
    voice_method: info.voiceMethod,
    voice: info.voiceName === "" ? null : { name: info.voiceName, licence: info.voiceLicence },
    memory_mb: info.memoryMb,
  };
}

function describeStt(models: TranscriptionModels): NonNullable<HealthReport["stt"]> {
  return {
    available: models.available,
    version: models.engineVersion,
    default_model: models.defaultModel,
    models: models.models.map(({ name, installed, loaded, multilingual }) => ({
      name,
      installed,
      loaded,
      multilingual,
    })),
    memory_budget_mb: models.memoryBudgetMb,
  };
}

/** Without a recognizer, transcriptions answer 501 and TTS goes unverified: worth a human's attention. */
function sttWarnings(stt: TranscriptionModels | undefined): string[] {
  if (stt === undefined) return [];
  if (!stt.available) return ["speech recognition (faster-whisper) is not installed: run `npm install`"];
  if (!stt.models.some((model) => model.installed)) return ["no Whisper model is installed in models/whisper"];
  return [];
}

function describeLibrary(status: LibraryStatus): HealthReport["library"] {
  return { state: status.state, files: status.files, last_scan_at: status.lastScanAt };
}

function describeQueue(status: WorkerStatus): NonNullable<HealthReport["queue"]> {
  return { state: status.state, depth: status.queueDepth, capacity: status.queueCapacity };
}

function healthWarnings(snap: SupervisorSnapshot, facts: { statusFailed: boolean; maxSegmentChars: number }): string[] {
  const warnings = [...snap.loadWarnings];
  if (snap.state !== "ready")
    warnings.push(`the inference sidecar is ${snap.state}; synthesis answers 503 until it is ready`);
  if (snap.nextAttemptAt) warnings.push(`the next attempt to start the sidecar is at ${snap.nextAttemptAt}`);
  for (const { engine, maxSegmentChars: engineLimit } of snap.engines?.loaded ?? []) {
    if (facts.maxSegmentChars <= engineLimit) continue;
    warnings.push(
      `inference.max_segment_chars is ${facts.maxSegmentChars} but the ${engine} engine accepts at most ` +
        `${engineLimit} characters per segment; ${engineLimit} applies`,
    );
  }
  if (snap.lastExit && snap.restarts > 0) {
    const how = snap.lastExit.signal ? `signal ${snap.lastExit.signal}` : `exit code ${snap.lastExit.code}`;
    warnings.push(
      `the sidecar was restarted ${snap.restarts} time(s); its last exit was at ${snap.lastExit.at} (${how})`,
    );
  }
  if (snap.lastStartFailure && snap.state !== "ready") {
    const { reason, at } = snap.lastStartFailure;
    warnings.push(`the last attempt to start the sidecar failed at ${at} (${reason}); the server log has the details`);
  }
  if (facts.statusFailed) warnings.push("the sidecar did not answer its status call in time");
  return warnings;
}
