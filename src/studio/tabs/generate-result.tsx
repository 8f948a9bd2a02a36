/** What a generation produced: the player, a download per file, how it was made, and what was not honoured. */
import { useEffect, useId, useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import { ErrorMessage } from "../components/error-message";
import { WaveformPlayer } from "../components/waveform-player";
import { PLAYABLE_FORMATS } from "./generate-fields";
import { companionOf, type Companion, type OutputFile, type TtsAnswer } from "./generate-request";
import { Facts } from "../components/facts";
import { downloadFile } from "../components/library-format";

export function SavedResult({ answer }: { answer: TtsAnswer }) {
  const played = PLAYABLE_FORMATS.map((format) => answer.output_files.find((file) => file.format === format)).find(
    Boolean,
  );
  const [src, setSrc] = useState<string | null>(null);
  const [companion, setCompanion] = useState<Companion | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!played) return;
    let url: string | undefined;
    let current = true;
    blobUrl(played.url)
      .then((made) => (current ? setSrc((url = made)) : URL.revokeObjectURL(made)))
      .catch(setError);
    companionOf(played)
      .then((found) => current && setCompanion(found))
      .catch(setError);
    return () => {
      current = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [answer]);

  const info = companion?.generation_info;
  return (
    <section aria-labelledby="generate-result-title">
      <h3 id="generate-result-title">Result</h3>
      {src && played && <WaveformPlayer src={src} label={`Generated speech (${played.format})`} />}
      <h4>Files</h4>
      <ul class="downloads">
        {answer.output_files.map((file) => (
          <li key={file.url}>
            <DownloadLink file={file} onError={setError} />
          </li>
        ))}
      </ul>
      <h4>How it was made</h4>
      <Facts
        facts={[
          ["Engine", answer.engine],
          ["Seed", String(answer.generation_seed_used)],
          ["Duration", info?.duration_seconds === undefined ? undefined : `${info.duration_seconds.toFixed(2)} s`],
          ["Sample rate", info?.sample_rate === undefined ? undefined : `${info.sample_rate} Hz`],
          [
            "Voice",
            companion ? (companion.parameters?.reference_audio_filename ?? "the engine's own voice") : undefined,
          ],
          ["Voice method", info ? (info.voice_method ?? "none") : undefined],
          ["Chunks", info?.chunks_processed === undefined ? undefined : String(info.chunks_processed)],
          ["Verification", verificationOf(answer.verification)],
          ["Processing time", `${answer.processing_time_seconds.toFixed(2)} s`],
        ]}
      />
      <Warnings warnings={answer.warnings} />
      {companion && (
        <details>
          <summary>Full metadata (companion JSON)</summary>
          <pre tabIndex={0}>{JSON.stringify(companion, null, 2)}</pre>
        </details>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}

function verificationOf(verification: TtsAnswer["verification"]): string {
  if (!verification.applied) return `not applied (${verification.reason ?? "no reason given"})`;
  const failed = verification.chunks_failed > 0 ? `, ${verification.chunks_failed} never passed` : "";
  return `${verification.chunks} chunks checked in ${verification.tries} tries${failed}`;
}

/**
 * A real link to the file (copyable, and what a browser with no key needed would follow), which on click is
 * fetched with the API key instead and handed to the browser as a download of the same bytes.
 */
function DownloadLink({ file, onError }: { file: OutputFile; onError: (error: unknown) => void }) {
  const download = (event: MouseEvent) => {
    event.preventDefault();
    downloadFile(file.url, file.filename).catch(onError);
  };
  return (
    <a href={file.url} download={file.filename} onClick={download}>
      Download {file.format.toUpperCase()} <span class="filename">{file.filename}</span>
    </a>
  );
}

/** What the server could not honour, said where the user looks, never only in a log. */
export function Warnings({ warnings }: { warnings: readonly string[] }) {
  const titleId = useId();
  if (warnings.length === 0) return <p>No warnings: every parameter was used.</p>;
  return (
    <>
      <h4 id={titleId}>Warnings and ignored parameters</h4>
      {/* Named by its heading, so a screen reader's list of lists says what this one holds. */}
      <ul class="warnings" aria-labelledby={titleId}>
        {warnings.map((warning) => (
          <li key={warning}>{warning}</li>
        ))}
      </ul>
    </>
  );
}
