/**
 * The voice library: upload a voice, browse it by folder, search, filter by tag, sort and page through it,
 * hear a voice, edit or move it, and delete it after a confirmation. Usage counts show which voices work.
 */
import { useEffect, useState } from "preact/hooks";
import { api, blobUrl, encodePath } from "../api/client";
import { listVoices, voiceAudioPath, type Voice } from "../api/library";
import { ConfirmDialog } from "../components/confirm-dialog";
import { ErrorMessage } from "../components/error-message";
import { FolderTree } from "../components/folder-tree";
import { Pager } from "../components/pager";
import { useLibraryPage } from "../components/use-library-page";
import { WaveformPlayer } from "../components/waveform-player";
import { VoiceEditDialog } from "./voices-edit";
import { VoiceFilters, type VoiceQuery } from "./voices-filters";
import { VoiceTable } from "./voices-table";
import { VoiceUpload } from "./voices-upload";
import "./voices.css";

const FIRST_PAGE: VoiceQuery = { search: "", tag: "", folder: "", sort_by: "name", sort_order: "asc", page: 1 };
const PAGE_SIZE = 25;
const fetchPage = (query: VoiceQuery) => listVoices({ ...query, page_size: PAGE_SIZE });

export function VoicesTab() {
  const [query, setQuery] = useState(FIRST_PAGE);
  const [version, setVersion] = useState(0);
  const { page, folders, error } = useLibraryPage("voices", fetchPage, query, version);
  const [preview, setPreview] = useState<{ voice: Voice; src: string } | null>(null);
  const [editing, setEditing] = useState<Voice | null>(null);
  const [deleting, setDeleting] = useState<Voice | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const refresh = () => setVersion((n) => n + 1);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview.src)), [preview]);

  const play = async (voice: Voice) => {
    setActionError(null);
    try {
      setPreview({ voice, src: await blobUrl(voiceAudioPath(voice)) });
    } catch (failure) {
      setActionError(failure);
    }
  };
  const remove = async (voice: Voice) => {
    await api(`/api/v1/voice/${encodePath(voice.path)}?confirm=true`, { method: "DELETE" });
    if (preview?.voice.path === voice.path) setPreview(null);
    refresh();
  };

  return (
    <div class="voices">
      <VoiceUpload onUploaded={refresh} />
      <section aria-labelledby="voice-library-title">
        <h3 id="voice-library-title">Library</h3>
        <div class="library-layout">
          <FolderTree
            label="Voice folders"
            folders={folders}
            selected={query.folder}
            onSelect={(folder) => setQuery({ ...query, folder, page: 1 })}
          />
          <div class="library-main">
            <VoiceFilters query={query} onChange={setQuery} />
            <ErrorMessage error={error ?? actionError} />
            {preview && (
              <div class="preview">
                <WaveformPlayer src={preview.src} label={`Preview of ${preview.voice.name}`} autoPlay />
              </div>
            )}
            {page && (
              <>
                <p role="status" class="help">
                  {page.total_voices} voice{page.total_voices === 1 ? "" : "s"}
                  {query.folder && ` in ${query.folder}`}
                </p>
                <VoiceTable voices={page.voices} onPreview={play} onEdit={setEditing} onDelete={setDeleting} />
                <Pager page={page} onPage={(n) => setQuery({ ...query, page: n })} />
              </>
            )}
          </div>
        </div>
      </section>
      {editing && (
        <VoiceEditDialog
          voice={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this voice?"
          confirmLabel="Delete voice"
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>
            <strong>{deleting.name}</strong> ({deleting.path}) and its metadata will be removed from the server. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
