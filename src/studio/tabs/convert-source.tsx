/**
 * The recording a conversion starts from: a new file (dropped, chosen or recorded), or one already kept in
 * the VC inputs library (vc_inputs/), chosen by name.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client";
import { AudioInput } from "../components/audio-input";
import { ErrorMessage } from "../components/error-message";

export type ConvertSource = { kind: "file"; file: File | null } | { kind: "library"; path: string };

interface Recording {
  path: string;
  text: string | null;
}

export function SourceChooser({
  source,
  onChange,
}: {
  source: ConvertSource;
  onChange: (next: ConvertSource) => void;
}) {
  return (
    <fieldset class="panel">
      <legend>Source recording (what is said)</legend>
      <div class="choices">
        <label>
          <input
            type="radio"
            name="convert-source-kind"
            checked={source.kind === "file"}
            onChange={() => onChange({ kind: "file", file: null })}
          />
          Upload or record
        </label>
        <label>
          <input
            type="radio"
            name="convert-source-kind"
            checked={source.kind === "library"}
            onChange={() => onChange({ kind: "library", path: "" })}
          />
          A recording in the VC inputs library
        </label>
      </div>
      {source.kind === "file" ? (
        <AudioInput
          id="convert-source-file"
          label="Source audio"
          file={source.file}
          onFile={(file) => onChange({ kind: "file", file })}
        />
      ) : (
        <LibraryRecording path={source.path} onChange={(path) => onChange({ kind: "library", path })} />
      )}
    </fieldset>
  );
}

function LibraryRecording({ path, onChange }: { path: string; onChange: (path: string) => void }) {
  const [recordings, setRecordings] = useState<Recording[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    getJson<{ files: Recording[] }>("/api/v1/vc_inputs?page_size=100")
      .then((page) => setRecordings(page.files))
      .catch(setError);
  }, []);
  return (
    <div class="field">
      <label for="convert-source-library">Recording</label>
      <select id="convert-source-library" value={path} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{recordings?.length === 0 ? "The library is empty" : "Choose a recording"}</option>
        {recordings?.map((recording) => (
          <option key={recording.path} value={recording.path}>
            {recording.text ? `${recording.path} — ${recording.text.slice(0, 60)}` : recording.path}
          </option>
        ))}
      </select>
      <ErrorMessage error={error} />
    </div>
  );
}
