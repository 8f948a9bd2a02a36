/** A library section's data: the page of items a query asks for and the folder tree, again on each `version`. */
import { useEffect, useState } from "preact/hooks";
import { listFolders, type LibraryFolder } from "../api/library";

export function useLibraryPage<Query, Page>(
  library: "voices" | "outputs",
  fetchPage: (query: Query) => Promise<Page>,
  query: Query,
  version: number,
): { page: Page | null; folders: LibraryFolder[]; error: unknown } {
  const [page, setPage] = useState<Page | null>(null);
  const [folders, setFolders] = useState<LibraryFolder[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    // Answers to an older query (typing fast in the search box) must not replace a newer one's.
    let current = true;
    fetchPage(query)
      .then((found) => current && (setPage(found), setError(null)))
      .catch((failure) => current && setError(failure));
    return () => {
      current = false;
    };
  }, [query, version]);
  useEffect(() => {
    listFolders(library)
      .then((found) => setFolders(found.folders))
      .catch(setError);
  }, [version]);
  return { page, folders, error };
}
