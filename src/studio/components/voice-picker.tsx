/** Chooses a library voice (searchable) and lets the user hear it before using it. */
import { useEffect, useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import { listVoices, voiceAudioPath, type Voice } from "../api/library";
import { ErrorMessage } from "./error-message";

interface VoicePickerProps {
  id: string;
  label: string;
  /** The chosen voice's path, "" for none. */
  value: string;
  onChange: (path: string) => void;
  /** Offer "none" (the engine's own voice); otherwise a voice must be chosen. */
  optional?: boolean;
}

// The most one page of GET /api/v1/voices holds.
const PAGE_SIZE = 100;

export function VoicePicker({ id, label, value, onChange, optional = false }: VoicePickerProps) {
  const [voices, setVoices] = useState<Voice[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState<string | null>(null);

  useEffect(() => {
    listVoices({ page_size: PAGE_SIZE, sort_by: "name" })
      .then((page) => setVoices(page.voices))
      .catch(setError);
  }, []);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const chosen = voices.find((voice) => voice.path === value);
  const listen = async () => {
    if (!chosen) return;
    try {
      setPreview(await blobUrl(voiceAudioPath(chosen)));
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="actions">
        <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
          {(optional || !chosen) && <option value="">{optional ? "The engine's own voice" : "Choose a voice"}</option>}
          {voices.map((voice) => (
            <option key={voice.path} value={voice.path}>
              {voice.folder_path ? `${voice.folder_path}/${voice.name}` : voice.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={listen} disabled={!chosen}>
          Preview
        </button>
      </div>
      {preview && <audio src={preview} controls autoPlay aria-label={`Preview of ${chosen?.name ?? "the voice"}`} />}
      <ErrorMessage error={error} />
    </div>
  );
}
