/** The library's shapes as the API returns them (docs/api/voices.md, outputs.md), the fields the studio reads. */
import { encodePath, getJson } from "./client";

export interface Voice {
  name: string;
  filename: string;
  path: string;
  folder_path: string | null;
  duration_seconds: number;
  description: string | null;
  tags: string[];
  default_parameters: Record<string, unknown> | null;
  usage_count: number;
  last_used: string | null;
  created_date: string;
}

export interface VoicePage {
  voices: Voice[];
  page: number;
  total_pages: number;
  total_voices: number;
}

export function listVoices(query: Record<string, string | number | undefined> = {}): Promise<VoicePage> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, String(value));
  return getJson<VoicePage>(`/api/v1/voices?${params}`);
}

export function voiceAudioPath(voice: Pick<Voice, "path">): string {
  return `/api/v1/voices/${encodePath(voice.path)}/audio`;
}

/** A folder of a library as `GET /api/v1/{voices,outputs}/folders` lists it; the top one is `root`. */
export interface LibraryFolder {
  path: string;
  file_count: number;
  subfolders: string[];
}

export interface FolderList {
  folders: LibraryFolder[];
  total_files: number;
}

export function listFolders(library: "voices" | "outputs" | "vc_inputs"): Promise<FolderList> {
  return getJson<FolderList>(`/api/v1/${library}/folders`);
}

export interface OutputFile {
  filename: string;
  path: string;
  folder_path: string | null;
  format: string;
  file_size_bytes: number;
  duration_seconds: number | null;
  created_date: string;
  url: string;
  generation_type: string;
  parameters: Record<string, unknown>;
  source_files: string[];
  warning?: string;
}

export interface OutputPage {
  files: OutputFile[];
  page: number;
  total_pages: number;
  total_files: number;
}

export function listOutputs(query: Record<string, string | number | undefined> = {}): Promise<OutputPage> {
  return getJson<OutputPage>(`/api/v1/outputs?${queryOf(query)}`);
}

export function outputAudioPath(file: Pick<OutputFile, "path">): string {
  return `/api/v1/outputs/${encodePath(file.path)}/audio`;
}

/** The query string of the set values only: an empty filter is no filter, never `search=`. */
export function queryOf(query: Record<string, string | number | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, String(value));
  return params;
}
