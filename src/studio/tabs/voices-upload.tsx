/**
 * Adds a voice to the library: the recording (dropped, chosen or recorded) with its name, description, tags,
 * folder and optional default TTS parameters, sent as POST /api/v1/voice. The server's warnings (a voice
 * too short to clone well, a corrected extension) are shown with the result.
 */
import { useState } from "preact/hooks";
import { sendForm } from "../api/client";
import type { Voice } from "../api/library";
import { AudioInput } from "../components/audio-input";
import { ErrorMessage } from "../components/error-message";

interface UploadAnswer {
  message: string;
  voice_metadata: Voice;
  warnings: string[];
}

const EMPTY = { name: "", description: "", tags: "", folder_path: "", default_parameters: "" };

export function VoiceUpload({ onUploaded }: { onUploaded: (voice: Voice) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [fields, setFields] = useState(EMPTY);
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<UploadAnswer | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return setError(new Error("Choose or record the voice's audio first."));
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const result = await sendForm<UploadAnswer>("POST", "/api/v1/voice", formOf(file, fields, overwrite));
      setAnswer(result);
      setFile(null);
      setFields(EMPTY);
      onUploaded(result.voice_metadata);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const text = (name: keyof typeof EMPTY, label: string, help: string) => (
    <div class="field">
      <label for={`voice-upload-${name}`}>{label}</label>
      <input
        id={`voice-upload-${name}`}
        type="text"
        value={fields[name]}
        aria-describedby={`voice-upload-${name}-help`}
        onInput={(e) => setFields({ ...fields, [name]: e.currentTarget.value })}
      />
      <small id={`voice-upload-${name}-help`} class="help">
        {help}
      </small>
    </div>
  );

  return (
    <form class="panel voice-upload" onSubmit={submit} aria-labelledby="voice-upload-title">
      <h3 id="voice-upload-title">Upload a voice</h3>
      <AudioInput id="voice-upload-file" label="Voice recording" file={file} onFile={setFile} />
      <div class="grid">
        {text("name", "Name", "Shown in lists; the file name without extension when empty.")}
        {text("description", "Description", "Free text; searchable.")}
        {text("tags", "Tags", "Comma-separated, e.g. narration, calm.")}
        {text("folder_path", "Folder", "e.g. characters/narrators; created when missing. Empty: the top folder.")}
      </div>
      <div class="field">
        <label for="voice-upload-defaults">Default parameters (JSON, optional)</label>
        <textarea
          id="voice-upload-defaults"
          rows={2}
          value={fields.default_parameters}
          placeholder='{"exaggeration": 0.7, "speed_factor": 0.9}'
          aria-describedby="voice-upload-defaults-help"
          onInput={(e) => setFields({ ...fields, default_parameters: e.currentTarget.value })}
        />
        <small id="voice-upload-defaults-help" class="help">
          TTS fields applied when a request using this voice leaves them unset.
        </small>
      </div>
      <label class="inline">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
        Replace a voice of the same name in that folder
      </label>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Uploading…" : "Upload voice"}
        </button>
      </div>
      <ErrorMessage error={error} />
      <div role="status">
        {answer && <p>{answer.message}</p>}
        {answer && answer.warnings.length > 0 && (
          <ul class="warnings">
            {answer.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        )}
      </div>
    </form>
  );
}

/** The multipart body; fields left empty are not sent, so the server's defaults apply. */
function formOf(file: File, fields: typeof EMPTY, overwrite: boolean): FormData {
  const form = new FormData();
  form.set("voice_file", file);
  for (const [name, value] of Object.entries(fields)) if (value.trim() !== "") form.set(name, value.trim());
  if (overwrite) form.set("overwrite", "true");
  return form;
}
