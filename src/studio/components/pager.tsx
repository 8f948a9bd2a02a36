/** Previous and next page of a paged listing, with where the user is. Nothing when there is one page. */
interface PagerProps {
  page: { page: number; total_pages: number };
  onPage: (page: number) => void;
}

export function Pager({ page, onPage }: PagerProps) {
  if (page.total_pages <= 1) return null;
  return (
    <nav class="actions pager" aria-label="Pages">
      <button type="button" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
        Previous page
      </button>
      <span>
        Page {page.page} of {page.total_pages}
      </span>
      <button type="button" disabled={page.page >= page.total_pages} onClick={() => onPage(page.page + 1)}>
        Next page
      </button>
    </nav>
  );
}
