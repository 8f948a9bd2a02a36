/**
 * A library's folders as a nested list (the API lists them flat, each naming its immediate subfolders).
 * Choosing one filters by it; the library's filters are hierarchical, so a folder shows its subfolders'
 * files too, and the top ("All folders") is no filter at all. Plain buttons, so the keyboard works as usual.
 */
import type { LibraryFolder } from "../api/library";
import "./library.css";

interface FolderTreeProps {
  /** Names the tree for assistive technology, e.g. "Voice folders". */
  label: string;
  folders: readonly LibraryFolder[];
  /** The chosen folder's path, "" for all. */
  selected: string;
  onSelect: (path: string) => void;
}

const TOP = "root";

export function FolderTree({ label, folders, selected, onSelect }: FolderTreeProps) {
  const byPath = new Map(folders.map((folder) => [folder.path, folder]));
  const totals = new Map<string, number>();
  const total = (path: string): number => {
    const known = totals.get(path);
    if (known !== undefined) return known;
    const folder = byPath.get(path);
    const sum = (folder?.file_count ?? 0) + (folder?.subfolders ?? []).reduce((n, sub) => n + total(sub), 0);
    totals.set(path, sum);
    return sum;
  };
  const top = byPath.get(TOP);

  const branch = (paths: readonly string[]) =>
    paths.length > 0 && (
      <ul>
        {paths.map((path) => (
          <li key={path}>
            <FolderButton
              name={path.split("/").pop()!}
              count={total(path)}
              current={selected === path}
              onClick={() => onSelect(path)}
            />
            {branch(byPath.get(path)?.subfolders ?? [])}
          </li>
        ))}
      </ul>
    );

  return (
    <nav class="folder-tree" aria-label={label}>
      <ul>
        <li>
          <FolderButton name="All folders" count={total(TOP)} current={selected === ""} onClick={() => onSelect("")} />
          {branch(top?.subfolders ?? [])}
        </li>
      </ul>
    </nav>
  );
}

interface FolderButtonProps {
  name: string;
  count: number;
  current: boolean;
  onClick: () => void;
}

function FolderButton({ name, count, current, onClick }: FolderButtonProps) {
  return (
    <button type="button" class="folder" aria-current={current ? "true" : undefined} onClick={onClick}>
      {name} <span class="count">({count})</span>
    </button>
  );
}
