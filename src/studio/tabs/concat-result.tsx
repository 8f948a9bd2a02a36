/** A finished join: the result to hear (with its waveform), its length, downloads of each format, warnings. */
import { useEffect, useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import { ErrorMessage } from "../components/error-message";
import { WaveformPlayer } from "../components/waveform-player";
import { downloadFile } from "../components/library-format";

export interface ConcatResult {
  output_files: Array<{ format: string; filename: string; url: string }>;
  total_duration_seconds: number;
  file_count: number;
  warnings: string[];
}

export function ResultView({ result }: { result: ConcatResult }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Browsers play WAV everywhere; other formats only when they are all there is.
  const playable = result.output_files.find((file) => file.format === "wav") ?? result.output_files[0];

  useEffect(() => {
    if (!playable) return;
    let url: string | null = null;
    blobUrl(playable.url)
      .then((made) => setSrc((url = made)))
      .catch(setError);
    return () => void (url && URL.revokeObjectURL(url));
  }, [playable?.url]);

  return (
    <section aria-labelledby="concat-result-title">
      <h3 id="concat-result-title">Result</h3>
      <p>
        <span data-duration={result.total_duration_seconds}>Length: {result.total_duration_seconds.toFixed(2)} s</span>,{" "}
        {result.file_count} audio items joined.
      </p>
      {src && <WaveformPlayer src={src} label="Joined result" />}
      <div class="actions">
        {result.output_files.map((file) => (
          <button type="button" key={file.url} onClick={() => downloadFile(file.url, file.filename).catch(setError)}>
            Download {file.format.toUpperCase()} ({file.filename})
          </button>
        ))}
      </div>
      {result.warnings.length > 0 && (
        <ul aria-label="Warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
