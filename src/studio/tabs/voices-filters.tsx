/** Search, tag and sort controls of the voice library; any change goes back to the first page. */
export interface VoiceQuery {
  search: string;
  tag: string;
  folder: string;
  sort_by: string;
  sort_order: string;
  page: number;
}

const SORTS: ReadonlyArray<[string, string]> = [
  ["name", "Name"],
  ["created_date", "Date added"],
  ["duration", "Duration"],
  ["usage_count", "Usage count"],
  ["last_used", "Last used"],
];

export function VoiceFilters({ query, onChange }: { query: VoiceQuery; onChange: (query: VoiceQuery) => void }) {
  const set = (name: keyof VoiceQuery) => (event: { currentTarget: { value: string } }) =>
    onChange({ ...query, [name]: event.currentTarget.value, page: 1 });
  return (
    <div class="grid filters">
      <div class="field">
        <label for="voices-search">Search</label>
        <input
          id="voices-search"
          type="search"
          value={query.search}
          placeholder="Name, description, tag, file"
          onInput={set("search")}
        />
      </div>
      <div class="field">
        <label for="voices-tag">Tag</label>
        <input id="voices-tag" type="text" value={query.tag} placeholder="Exact tag" onInput={set("tag")} />
      </div>
      <div class="field">
        <label for="voices-sort">Sort by</label>
        <select id="voices-sort" value={query.sort_by} onChange={set("sort_by")}>
          {SORTS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="voices-order">Order</label>
        <select id="voices-order" value={query.sort_order} onChange={set("sort_order")}>
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </select>
      </div>
    </div>
  );
}
