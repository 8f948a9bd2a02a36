/** One labelled control of a listing's filters: a select when it has options, else an input (a search box by default). */
export type Options = ReadonlyArray<[value: string, text: string]>;

export const SORT_ORDERS: Options = [
  ["asc", "Ascending"],
  ["desc", "Descending"],
];

interface FilterFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options?: Options;
  placeholder?: string;
  /** Without options: a search box, or a date picker. */
  type?: "search" | "date";
}

export function FilterField({ id, label, value, onChange, options, placeholder, type = "search" }: FilterFieldProps) {
  const changed = (event: { currentTarget: { value: string } }) => onChange(event.currentTarget.value);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {options ? (
        <select id={id} value={value} onChange={changed}>
          {options.map(([option, text]) => (
            <option key={option} value={option}>
              {text}
            </option>
          ))}
        </select>
      ) : type === "date" ? (
        <input id={id} type="date" value={value} onInput={changed} />
      ) : (
        <input id={id} type="search" value={value} placeholder={placeholder} onInput={changed} />
      )}
    </div>
  );
}

/** The change of one filter: any change goes back to the first page. */
export function filterSetter<Q extends { page: number }>(query: Q, onChange: (query: Q) => void) {
  return (name: keyof Q) => (value: string) => onChange({ ...query, [name]: value, page: 1 });
}
