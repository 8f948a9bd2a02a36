/**
 * The generated files: browse them by project folder, filter and sort, play one, read how it was made,
 * download it, and delete one or a selection after a confirmation. The list reloads after every change.
 */
import { useEffect, useState } from "preact/hooks";
import { api, blobUrl, encodePath } from "../api/client";
import { listOutputs, outputAudioPath, queryOf, type OutputFile } from "../api/library";
import { ConfirmDialog } from "../components/confirm-dialog";
import { ErrorMessage } from "../components/error-message";
import { FolderTree } from "../components/folder-tree";
import { downloadFile } from "../components/library-format";
import { Pager } from "../components/pager";
import { useLibraryPage } from "../components/use-library-page";
import { WaveformPlayer } from "../components/waveform-player";
import { OutputFilters, type OutputQuery } from "./outputs-filters";
import { OutputMetadata } from "./outputs-metadata";
import { OutputTable } from "./outputs-table";
import "./outputs.css";

const FIRST_PAGE: OutputQuery = {
  search: "",
  folder: "",
  generation_type: "",
  date_from: "",
  date_to: "",
  sort_by: "created_date",
  sort_order: "desc",
  page: 1,
};
const PAGE_SIZE = 25;
const fetchPage = (query: OutputQuery) => listOutputs({ ...query, page_size: PAGE_SIZE });

/** What the confirmation dialog is about: one file, or the selection. */
type PendingDelete = { one: OutputFile } | { many: string[] };

export function OutputsTab() {
  const [query, setQuery] = useState(FIRST_PAGE);
  const [version, setVersion] = useState(0);
  const { page, folders, error } = useLibraryPage("outputs", fetchPage, query, version);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [playing, setPlaying] = useState<{ file: OutputFile; src: string } | null>(null);
  const [details, setDetails] = useState<OutputFile | null>(null);
  const [pending, setPending] = useState<PendingDelete | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  useEffect(() => () => void (playing && URL.revokeObjectURL(playing.src)), [playing]);
  // A selection is of the rows in view: another page or filter starts a new one.
  useEffect(() => setSelected(new Set()), [query, version]);

  const attempt = (action: () => Promise<void>) => async () => {
    setActionError(null);
    try {
      await action();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const play = (file: OutputFile) =>
    attempt(async () => setPlaying({ file, src: await blobUrl(outputAudioPath(file)) }))();
  const download = (file: OutputFile) => attempt(() => downloadFile(outputAudioPath(file), file.filename))();
  const remove = async (paths: readonly string[]) => {
    const count = await deleteOutputs(paths);
    setNotice(`Deleted ${count} file${count === 1 ? "" : "s"}.`);
    if (playing && paths.includes(playing.file.path)) setPlaying(null);
    if (details && paths.includes(details.path)) setDetails(null);
    setVersion((n) => n + 1);
  };

  return (
    <div class="outputs">
      <div class="library-layout">
        <FolderTree
          label="Output folders"
          folders={folders}
          selected={query.folder}
          onSelect={(folder) => setQuery({ ...query, folder, page: 1 })}
        />
        <div class="library-main">
          <OutputFilters query={query} onChange={setQuery} />
          <ErrorMessage error={error ?? actionError} />
          <p role="status" class="help">
            {notice} {page && `${page.total_files} file${page.total_files === 1 ? "" : "s"}`}
            {query.folder && ` in ${query.folder}`}
          </p>
          {playing && (
            <div class="now-playing">
              <WaveformPlayer src={playing.src} label={`Playing ${playing.file.filename}`} autoPlay />
            </div>
          )}
          {details && <OutputMetadata file={details} onClose={() => setDetails(null)} />}
          <div class="actions bulk">
            <button type="button" disabled={selected.size === 0} onClick={() => setPending({ many: [...selected] })}>
              Delete selected ({selected.size})
            </button>
          </div>
          {page && (
            <>
              <OutputTable
                files={page.files}
                selected={selected}
                onSelect={setSelected}
                onPlay={play}
                onDetails={setDetails}
                onDownload={download}
                onDelete={(file) => setPending({ one: file })}
              />
              <Pager page={page} onPage={(n) => setQuery({ ...query, page: n })} />
            </>
          )}
        </div>
      </div>
      {pending && <DeleteConfirmation pending={pending} onConfirm={remove} onClose={() => setPending(null)} />}
    </div>
  );
}

function DeleteConfirmation(props: {
  pending: PendingDelete;
  onConfirm: (paths: readonly string[]) => Promise<void>;
  onClose: () => void;
}) {
  const paths = "one" in props.pending ? [props.pending.one.path] : props.pending.many;
  const label = paths.length === 1 ? "Delete 1 file" : `Delete ${paths.length} files`;
  return (
    <ConfirmDialog
      title={`${label}?`}
      confirmLabel={label}
      onConfirm={() => props.onConfirm(paths)}
      onClose={props.onClose}
    >
      <p>
        {paths.length === 1 ? <strong>{paths[0]}</strong> : `${paths.length} selected files`} and the metadata next to{" "}
        {paths.length === 1 ? "it" : "them"} will be removed from the server. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}

/**
 * Deletes exactly these files; answers how many went. Files in folders go in one bulk call by their paths; a
 * file at the top is deleted on its own, because in the bulk route's `filenames` a bare name would also match
 * files of that name in every folder.
 */
async function deleteOutputs(paths: readonly string[]): Promise<number> {
  const top = paths.filter((path) => !path.includes("/"));
  const nested = paths.filter((path) => path.includes("/"));
  let count = 0;
  for (const path of top) {
    await api(`/api/v1/output/${encodePath(path)}?confirm=true`, { method: "DELETE" });
    count++;
  }
  if (nested.length > 0) {
    const query = queryOf({ confirm: "true", filenames: nested.join(",") });
    const answer = (await (await api(`/api/v1/outputs?${query}`, { method: "DELETE" })).json()) as {
      deleted_count: number;
    };
    count += answer.deleted_count;
  }
  return count;
}
