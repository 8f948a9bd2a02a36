/** The outputs listing's filters (everything GET /api/v1/outputs offers but the folder, which the tree sets). */
import { FilterField, filterSetter, SORT_ORDERS, type Options } from "../components/filter-field";

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

const TYPES: Options = [
  ["", "Any"],
  ["tts", "Speech (TTS)"],
  ["vc", "Voice conversion"],
  ["concat", "Concatenation"],
  ["mixed", "Mixed"],
  ["unknown", "Unknown"],
];
const SORTS: Options = [
  ["created_date", "Date"],
  ["filename", "File name"],
  ["duration", "Duration"],
  ["size", "Size"],
];

export function OutputFilters({ query, onChange }: { query: OutputQuery; onChange: (query: OutputQuery) => void }) {
  const set = filterSetter(query, onChange);
  return (
    <div class="grid filters">
      <FilterField
        id="outputs-search"
        label="Search"
        value={query.search}
        placeholder="File or folder name"
        onChange={set("search")}
      />
      <FilterField
        id="outputs-generation_type"
        label="Kind"
        value={query.generation_type}
        options={TYPES}
        onChange={set("generation_type")}
      />
      <FilterField
        id="outputs-from"
        label="Made on or after"
        type="date"
        value={query.date_from}
        onChange={set("date_from")}
      />
      <FilterField
        id="outputs-to"
        label="Made on or before"
        type="date"
        value={query.date_to}
        onChange={set("date_to")}
      />
      <FilterField
        id="outputs-sort_by"
        label="Sort by"
        value={query.sort_by}
        options={SORTS}
        onChange={set("sort_by")}
      />
      <FilterField
        id="outputs-sort_order"
        label="Order"
        value={query.sort_order}
        options={[...SORT_ORDERS].reverse()}
        onChange={set("sort_order")}
      />
    </div>
  );
}
