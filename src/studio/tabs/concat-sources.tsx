/**
 * What a sequence is made of: the files in outputs/ (searchable) and the user's uploads. Each can be dragged
 * into the sequence, or added to its end with its Add button (the keyboard's way).
 */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client";
import { AudioInput } from "../components/audio-input";
import { ErrorMessage } from "../components/error-message";
import { DRAG_TYPE, type DragPayload, type OutputFile, type Upload } from "./concat-model";

const SEARCH_DELAY_MS = 250;

function dragStart(event: DragEvent, payload: DragPayload): void {
  event.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(payload));
  if (event.dataTransfer) event.dataTransfer.effectAllowed = "copyMove";
}

const seconds = (value: number | null) => (value === null ? "" : `${value.toFixed(2)} s`);

/** `version` changes when a new output may exist (a join just made one). */
export function OutputSource({ version, onAdd }: { version: number; onAdd: (output: OutputFile) => void }) {
  const [search, setSearch] = useState("");
  const [files, setFiles] = useState<OutputFile[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      const query = new URLSearchParams({ page_size: "100", sort_by: "created_date", search });
      getJson<{ files: OutputFile[] }>(`/api/v1/outputs?${query}`)
        .then((page) => {
          if (!current) return;
          setFiles(page.files);
          setError(null);
        })
        .catch((failure) => current && setError(failure));
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search, version]);

  return (
    <section aria-labelledby="concat-outputs-title" class="concat-source">
      <h3 id="concat-outputs-title">Outputs</h3>
      <label for="concat-search">Search outputs</label>
      <input id="concat-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <ErrorMessage error={error} />
      {files?.length === 0 && <p>No output matches.</p>}
      <ul class="concat-list" aria-label="Outputs to add">
        {files?.map((file) => (
          <li key={file.path} draggable onDragStart={(e) => dragStart(e, { add: "output", output: file })}>
            <span class="concat-name">{file.path}</span>
            <span class="help">{seconds(file.duration_seconds)}</span>
            <button type="button" onClick={() => onAdd(file)} aria-label={`Add ${file.path}`}>
              Add
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface UploadSourceProps {
  uploads: Upload[];
  onUpload: (file: File) => void;
  onAdd: (upload: Upload) => void;
  onRemove: (upload: Upload) => void;
}

export function UploadSource({ uploads, onUpload, onAdd, onRemove }: UploadSourceProps) {
  return (
    <section aria-labelledby="concat-uploads-title" class="concat-source">
      <h3 id="concat-uploads-title">Uploads</h3>
      <AudioInput id="concat-upload" label="Upload audio" file={null} onFile={(file) => file && onUpload(file)} />
      <ul class="concat-list" aria-label="Uploads to add">
        {uploads.map((upload) => (
          <li key={upload.id} draggable onDragStart={(e) => dragStart(e, { add: "upload", id: upload.id })}>
            <span class="concat-name">{upload.file.name}</span>
            <button type="button" onClick={() => onAdd(upload)} aria-label={`Add ${upload.file.name}`}>
              Add
            </button>
            <button type="button" onClick={() => onRemove(upload)} aria-label={`Remove upload ${upload.file.name}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
