/** What a conversion made: its files to download, how long it took, and the server's warnings. */
import { useState } from "preact/hooks";
import { ErrorMessage } from "../components/error-message";
import { downloadFile } from "../components/library-format";

export interface VcAnswer {
  message: string;
  output_files: Array<{ format: string; filename: string; url: string; path: string }>;
  processing_time_seconds: number;
  warnings: string[];
}

export function ConvertResult({ answer }: { answer: VcAnswer }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="convert-result">
      <p>
        {answer.message} in {answer.processing_time_seconds.toFixed(2)} s.
      </p>
      <div class="actions">
        {answer.output_files.map((file) => (
          <button
            key={file.format}
            type="button"
            onClick={() => downloadFile(file.url, file.filename).catch(setError)}
            aria-label={`Download ${file.format.toUpperCase()} (${file.filename})`}
          >
            Download {file.format.toUpperCase()}
          </button>
        ))}
      </div>
      <ErrorMessage error={error} />
      {answer.warnings.length > 0 && (
        <div class="warnings" role="status">
          <h4>Warnings</h4>
          <ul>
            {answer.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
