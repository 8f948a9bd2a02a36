/** The outputs listing's filters (everything GET /api/v1/outputs offers but the folder, which the tree sets). */
export interface OutputQuery {
  search: string;
  folder: string;
  generation_type: string;
  date_from: string;
  date_to: string;
  sort_by: string;
  sort_order: string;
  page: number;
}

const TYPES: ReadonlyArray<[string, string]> = [
  ["", "Any"],
  ["tts", "Speech (TTS)"],
  ["vc", "Voice conversion"],
  ["concat", "Concatenation"],
  ["mixed", "Mixed"],
  ["unknown", "Unknown"],
];
const SORTS: ReadonlyArray<[string, string]> = [
  ["created_date", "Date"],
  ["filename", "File name"],
  ["duration", "Duration"],
  ["size", "Size"],
];

export function OutputFilters({ query, onChange }: { query: OutputQuery; onChange: (query: OutputQuery) => void }) {
  const set = (name: keyof OutputQuery) => (event: { currentTarget: { value: string } }) =>
    onChange({ ...query, [name]: event.currentTarget.value, page: 1 });
  const select = (name: keyof OutputQuery, label: string, options: ReadonlyArray<[string, string]>) => (
    <div class="field">
      <label for={`outputs-${name}`}>{label}</label>
      <select id={`outputs-${name}`} value={String(query[name])} onChange={set(name)}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <div class="grid filters">
      <div class="field">
        <label for="outputs-search">Search</label>
        <input
          id="outputs-search"
          type="search"
          value={query.search}
          placeholder="File or folder name"
          onInput={set("search")}
        />
      </div>
      {select("generation_type", "Kind", TYPES)}
      <div class="field">
        <label for="outputs-from">Made on or after</label>
        <input id="outputs-from" type="date" value={query.date_from} onInput={set("date_from")} />
      </div>
      <div class="field">
        <label for="outputs-to">Made on or before</label>
        <input id="outputs-to" type="date" value={query.date_to} onInput={set("date_to")} />
      </div>
      {select("sort_by", "Sort by", SORTS)}
      {select("sort_order", "Order", [
        ["desc", "Descending"],
        ["asc", "Ascending"],
      ])}
    </div>
  );
}
