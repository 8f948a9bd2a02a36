/**
 * Edits a voice's metadata in a modal dialog (PUT /api/v1/voice/{path}/metadata). Only the fields the user
 * changed are sent; a different folder moves the voice (and its companion) there.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { encodePath, sendJson } from "../api/client";
import type { Voice } from "../api/library";
import { ErrorMessage } from "../components/error-message";

interface VoiceEditProps {
  voice: Voice;
  onSaved: (voice: Voice) => void;
  onClose: () => void;
}

type Fields = { name: string; description: string; tags: string; folder_path: string };

function fieldsOf(voice: Voice): Fields {
  return {
    name: voice.name,
    description: voice.description ?? "",
    tags: voice.tags.join(", "),
    folder_path: voice.folder_path ?? "",
  };
}

export function VoiceEditDialog({ voice, onSaved, onClose }: VoiceEditProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [fields, setFields] = useState(() => fieldsOf(voice));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    dialog.current?.showModal();
    return () => dialog.current?.close();
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await sendJson<{ voice_metadata: Voice }>(
        "PUT",
        `/api/v1/voice/${encodePath(voice.path)}/metadata`,
        changesOf(fieldsOf(voice), fields),
      );
      onSaved(answer.voice_metadata);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const input = (name: keyof Fields, label: string, help?: string) => (
    <div class="field">
      <label for={`voice-edit-${name}`}>{label}</label>
      {name === "description" ? (
        <textarea
          id={`voice-edit-${name}`}
          rows={3}
          value={fields[name]}
          onInput={(e) => setFields({ ...fields, [name]: e.currentTarget.value })}
        />
      ) : (
        <input
          id={`voice-edit-${name}`}
          type="text"
          value={fields[name]}
          aria-describedby={help ? `voice-edit-${name}-help` : undefined}
          onInput={(e) => setFields({ ...fields, [name]: e.currentTarget.value })}
        />
      )}
      {help && (
        <small id={`voice-edit-${name}-help`} class="help">
          {help}
        </small>
      )}
    </div>
  );

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="voice-edit-title" onCancel={onClose}>
      <form onSubmit={save}>
        <h2 id="voice-edit-title">Edit {voice.name}</h2>
        {input("name", "Name")}
        {input("description", "Description")}
        {input("tags", "Tags", "Comma-separated.")}
        {input("folder_path", "Folder", "A different folder moves the voice there; empty: the top folder.")}
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The PUT body: the changed fields only, tags as a list. */
function changesOf(before: Fields, after: Fields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (after.name.trim() !== before.name) body.name = after.name.trim();
  if (after.description !== before.description) body.description = after.description;
  if (after.tags !== before.tags)
    body.tags = after.tags
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
  if (after.folder_path.trim() !== before.folder_path) body.folder_path = after.folder_path.trim();
  return body;
}
