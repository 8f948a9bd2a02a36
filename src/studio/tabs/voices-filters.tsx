/** Search, tag and sort controls of the voice library; any change goes back to the first page. */
import { FilterField, filterSetter, SORT_ORDERS, type Options } from "../components/filter-field";

export interface VoiceQuery {
  search: string;
  tag: string;
  folder: string;
  sort_by: string;
  sort_order: string;
  page: number;
}

const SORTS: Options = [
  ["name", "Name"],
  ["created_date", "Date added"],
  ["duration", "Duration"],
  ["usage_count", "Usage count"],
  ["last_used", "Last used"],
];

export function VoiceFilters({ query, onChange }: { query: VoiceQuery; onChange: (query: VoiceQuery) => void }) {
  const set = filterSetter(query, onChange);
  return (
    <div class="grid filters">
      <FilterField
        id="voices-search"
        label="Search"
        value={query.search}
        placeholder="Name, description, tag, file"
        onChange={set("search")}
      />
      <FilterField id="voices-tag" label="Tag" value={query.tag} placeholder="Exact tag" onChange={set("tag")} />
      <FilterField id="voices-sort" label="Sort by" value={query.sort_by} options={SORTS} onChange={set("sort_by")} />
      <FilterField
        id="voices-order"
        label="Order"
        value={query.sort_order}
        options={SORT_ORDERS}
        onChange={set("sort_order")}
      />
    </div>
  );
}
