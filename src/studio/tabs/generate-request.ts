/** The calls the Generate section makes (docs/api/tts.md, outputs.md, system.md), and the shapes it reads. */
import { api, getJson } from "../api/client";
import type { FormValues } from "../components/schema-form";

export interface OutputFile {
  format: string;
  filename: string;
  /** `/outputs/<project>/<file>`: downloads the file. */
  url: string;
}

export interface TtsAnswer {
  output_files: OutputFile[];
  generation_seed_used: number;
  engine: string;
  voice_defaults_applied: Record<string, unknown>;
  verification: { applied: boolean; reason?: string; chunks: number; tries: number; chunks_failed: number };
  processing_time_seconds: number;
  warnings: string[];
}

/** The companion JSON of a generated file, the parts the result shows. */
export interface Companion {
  parameters?: { reference_audio_filename?: string | null };
  generation_info?: {
    seed_used?: number;
    engine?: string;
    duration_seconds?: number;
    sample_rate?: number;
    voice_method?: string | null;
    chunks_processed?: number;
    processing_time_seconds?: number;
    post_processing?: Array<{ stage?: string }>;
  };
  warnings?: string[];
}

export interface LoadedEngine {
  name: string;
  default: boolean;
}

/** Order in which the server's `auto` picks among the loaded engines (docs/api/tts.md, `engine`). */
const AUTO_PREFERENCE = ["chatterbox", "piper", "espeak"];

export async function loadedEngines(): Promise<LoadedEngine[]> {
  const config = await getJson<{ inference?: { loaded_engines?: LoadedEngine[] } }>("/api/v1/config");
  return config.inference?.loaded_engines ?? [];
}

/** The engine that will speak for the choice ("" = the server's default), as far as the client can know. */
export function speakingEngine(choice: string, engines: readonly LoadedEngine[]): string | undefined {
  if (choice === "") return engines.find((engine) => engine.default)?.name;
  if (choice === "auto") return AUTO_PREFERENCE.find((name) => engines.some((engine) => engine.name === name));
  return choice;
}

const json = (body: FormValues, signal: AbortSignal): RequestInit => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "Content-Type": "application/json" },
  signal,
});

/** Generates and saves every requested format; answers with the files. */
export async function generateSaved(body: FormValues, signal: AbortSignal): Promise<TtsAnswer> {
  return (await api("/api/v1/tts?response_mode=json", json(body, signal))).json() as Promise<TtsAnswer>;
}

export interface ProgressiveAnswer {
  response: Response;
  seed: number | undefined;
  engine: string | null;
  warnings: string[];
}

/** MP3 is what Chromium's MediaSource takes as a plain byte stream (`audio/mpeg`). */
export const PROGRESSIVE_FORMAT = "mp3";

/**
 * Starts a progressive answer: the MP3 arrives while it is being spoken, and nothing is saved. The streamed
 * format must be one of export_formats, so a form without MP3 among them streams MP3 alone.
 */
export async function generateProgressive(body: FormValues, signal: AbortSignal): Promise<ProgressiveAnswer> {
  const formats = body.export_formats as string[] | undefined;
  const streamed =
    formats && !formats.includes(PROGRESSIVE_FORMAT) ? { ...body, export_formats: [PROGRESSIVE_FORMAT] } : body;
  const query = `response_mode=stream&progressive=true&return_format=${PROGRESSIVE_FORMAT}`;
  const response = await api(`/api/v1/tts?${query}`, json(streamed, signal));
  const seed = Number(response.headers.get("X-Generation-Seed"));
  return {
    response,
    seed: Number.isInteger(seed) && seed > 0 ? seed : undefined,
    engine: response.headers.get("X-Engine"),
    warnings: parseWarnings(response.headers.get("X-Warnings")),
  };
}

function parseWarnings(header: string | null): string[] {
  if (!header) return [];
  try {
    const parsed: unknown = JSON.parse(header);
    return Array.isArray(parsed) ? parsed.map(String) : [header];
  } catch {
    return [header];
  }
}

/** The companion of a file the TTS answer named by its `/outputs/...` url. */
export async function companionOf(file: OutputFile): Promise<Companion | null> {
  const path = file.url.replace(/^\/outputs\//, "");
  const entry = await getJson<{ metadata: Companion | null }>(`/api/v1/outputs/${path}/metadata`);
  return entry.metadata;
}
