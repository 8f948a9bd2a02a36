/**
 * Chooses a library voice and lets the user hear it before using it. One page of GET /api/v1/voices holds at
 * most 100 voices, so a large library is searched on the server (`search`: name, file name, folder,
 * description, tags), and the picker says when more voices match than it shows.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import { listVoices, voiceAudioPath, type Voice, type VoicePage } from "../api/library";
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
// Long enough that typing a word asks the server once, short enough to feel immediate.
const SEARCH_DELAY_MS = 250;

export function VoicePicker({ id, label, value, onChange, optional = false }: VoicePickerProps) {
  const [search, setSearch] = useState("");
  const { query, setQuery, found, error, setError } = useVoiceSearch(search);
  // The voice last picked stays on the list while a later search leaves it out, so the choice still shows.
  const [picked, setPicked] = useState<Voice | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const list = useRef<HTMLSelectElement>(null);

  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  // A preview belongs to the voice it was made for.
  useEffect(() => setPreview(null), [value]);

  const voices = found?.voices ?? [];
  const kept = picked?.path === value && !voices.some((voice) => voice.path === value) ? [picked] : [];
  const options = [...kept, ...voices];
  const chosen = options.find((voice) => voice.path === value);
  const choose = (path: string) => {
    setPicked(options.find((voice) => voice.path === path) ?? null);
    onChange(path);
  };
  const listen = async () => {
    if (!chosen) return;
    try {
      setPreview(await blobUrl(voiceAudioPath(chosen)));
    } catch (failure) {
      setError(failure);
    }
  };
  // Enter would submit the surrounding form: here it searches at once and moves on to the list.
  const searchNow = (event: KeyboardEvent) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    setQuery(search);
    list.current?.focus();
  };

  return (
    <div class="field voice-picker">
      <label for={`${id}-search`}>Find a voice</label>
      <input
        id={`${id}-search`}
        type="search"
        value={search}
        placeholder="Name, tag, folder or description"
        aria-describedby={`${id}-matches`}
        aria-controls={id}
        onInput={(event) => setSearch(event.currentTarget.value)}
        onKeyDown={searchNow}
      />
      <small id={`${id}-matches`} class="help" aria-live="polite">
        {found && matchesText(found, query)}
      </small>
      <label for={id}>{label}</label>
      <div class="actions">
        <select id={id} ref={list} value={value} onChange={(event) => choose(event.currentTarget.value)}>
          {(optional || !chosen) && <option value="">{optional ? "The engine's own voice" : "Choose a voice"}</option>}
          {options.map((voice) => (
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

/** The voices matching `search`, asked for once the user pauses typing; `setQuery` asks at once. */
function useVoiceSearch(search: string) {
  const [query, setQuery] = useState(search);
  const [found, setFound] = useState<VoicePage | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);
  useEffect(() => {
    // An answer to an older search (typing fast) must not replace a newer one's.
    let current = true;
    listVoices({ page_size: PAGE_SIZE, sort_by: "name", search: query.trim() })
      .then((page) => current && (setFound(page), setError(null)))
      .catch((failure) => current && setError(failure));
    return () => {
      current = false;
    };
  }, [query]);
  return { query, setQuery, found, error, setError };
}

function matchesText({ voices, total_voices: total }: VoicePage, query: string): string {
  const searched = query.trim() !== "";
  if (total === 0) return searched ? `No voice matches “${query.trim()}”.` : "No voices yet: upload one in Voices.";
  if (voices.length < total) return `Showing ${voices.length} of ${total} voices — refine the search.`;
  if (searched) return total === 1 ? "1 voice matches." : `${total} voices match.`;
  return total === 1 ? "1 voice in the library." : `${total} voices in the library.`;
}
