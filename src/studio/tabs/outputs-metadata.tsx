/**
 * A generated file's companion (GET /api/v1/outputs/{path}/metadata) made readable: how it was made first
 * (kind, engine, text or sources, seed, timings), every request parameter on demand.
 */
import { useEffect, useState } from "preact/hooks";
import { encodePath, getJson } from "../api/client";
import type { OutputFile } from "../api/library";
import { ErrorMessage } from "../components/error-message";
import { formatDate, formatDuration } from "../components/library-format";
import { Facts, type Fact } from "../components/facts";

interface Companion {
  type?: string;
  created_at?: string;
  parameters?: Record<string, unknown>;
  generation_info?: Record<string, unknown>;
  files?: Record<string, string>;
  warnings?: string[];
}

type Described = OutputFile & { metadata: Companion | null };

export function OutputMetadata({ file, onClose }: { file: OutputFile; onClose: () => void }) {
  const [described, setDescribed] = useState<Described | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    setDescribed(null);
    getJson<Described>(`/api/v1/outputs/${encodePath(file.path)}/metadata`)
      .then((found) => current && setDescribed(found))
      .catch((failure) => current && setError(failure));
    return () => {
      current = false;
    };
  }, [file.path]);

  return (
    <section class="output-metadata" aria-labelledby="output-metadata-title">
      <h3 id="output-metadata-title">Details of {file.filename}</h3>
      <ErrorMessage error={error} />
      {described && <Details described={described} />}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Close details
        </button>
      </div>
    </section>
  );
}

function Details({ described }: { described: Described }) {
  const companion = described.metadata;
  if (!companion) return <p>This file has no metadata file: it was not made by this server.</p>;
  const info = companion.generation_info ?? {};
  const parameters = companion.parameters ?? {};
  const rows: Fact[] = [
    ["Kind", companion.type],
    ["Made", formatDate(companion.created_at)],
    ["Engine", info.engine],
    ["Method", info.voice_method],
    ["Text", parameters.text],
    ["Voice", parameters.reference_audio_filename ?? parameters.target_voice_source],
    ["Source", parameters.input_audio_source],
    ["Seed", info.seed_used],
    ["Duration", formatDuration(info.duration_seconds as number | undefined)],
    ["Sample rate", info.sample_rate ? `${String(info.sample_rate)} Hz` : undefined],
    [
      "Processing time",
      info.processing_time_seconds !== undefined ? `${String(info.processing_time_seconds)} s` : undefined,
    ],
    ["Formats", companion.files ? Object.keys(companion.files).join(", ") : undefined],
    ["Warnings", companion.warnings?.length ? companion.warnings.join("; ") : undefined],
  ];
  return (
    <>
      <Facts facts={rows} />
      <details>
        <summary>Every parameter and generation detail</summary>
        <pre tabIndex={0}>{JSON.stringify(companion, null, 2)}</pre>
      </details>
    </>
  );
}
