/** One page of generated files, each selectable for a bulk delete, with its own actions. */
import type { OutputFile } from "../api/library";
import { formatBytes, formatDate, formatDuration } from "../components/library-format";

export interface OutputActions {
  onPlay: (file: OutputFile) => void;
  onDetails: (file: OutputFile) => void;
  onDownload: (file: OutputFile) => void;
  onDelete: (file: OutputFile) => void;
}

interface OutputTableProps extends OutputActions {
  files: readonly OutputFile[];
  selected: ReadonlySet<string>;
  onSelect: (paths: ReadonlySet<string>) => void;
}

export function OutputTable({ files, selected, onSelect, ...actions }: OutputTableProps) {
  if (files.length === 0) return <p>No files match.</p>;
  const all = files.every((file) => selected.has(file.path));
  const toggle = (path: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(path);
    else next.delete(path);
    onSelect(next);
  };
  return (
    <div class="table-scroll">
      <table class="output-table">
        <caption class="visually-hidden">Generated files</caption>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all files on this page"
                checked={all}
                onChange={(e) => onSelect(new Set(e.currentTarget.checked ? files.map((file) => file.path) : []))}
              />
            </th>
            <th scope="col">File</th>
            <th scope="col">Folder</th>
            <th scope="col">Kind</th>
            <th scope="col">Duration</th>
            <th scope="col">Size</th>
            <th scope="col">Made</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {files.map((file) => (
            <tr key={file.path}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${file.filename}`}
                  checked={selected.has(file.path)}
                  onChange={(e) => toggle(file.path, e.currentTarget.checked)}
                />
              </td>
              <th scope="row" class="filename">
                {file.filename}
                {file.warning && <small class="error">{file.warning}</small>}
              </th>
              <td>{file.folder_path ?? "(top)"}</td>
              <td>{file.generation_type}</td>
              <td>{formatDuration(file.duration_seconds)}</td>
              <td>{formatBytes(file.file_size_bytes)}</td>
              <td>{formatDate(file.created_date)}</td>
              <td>
                <RowActions file={file} {...actions} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RowActions({ file, onPlay, onDetails, onDownload, onDelete }: OutputActions & { file: OutputFile }) {
  return (
    <div class="row-actions">
      <button type="button" aria-label={`Play ${file.filename}`} onClick={() => onPlay(file)}>
        Play
      </button>
      <button type="button" aria-label={`Details of ${file.filename}`} onClick={() => onDetails(file)}>
        Details
      </button>
      <button type="button" aria-label={`Download ${file.filename}`} onClick={() => onDownload(file)}>
        Download
      </button>
      <button type="button" aria-label={`Delete ${file.filename}`} onClick={() => onDelete(file)}>
        Delete
      </button>
    </div>
  );
}
