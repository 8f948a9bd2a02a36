/** One labelled control of a listing's filters: a select when it has options, else a search box. */
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
}

export function FilterField({ id, label, value, onChange, options, placeholder }: FilterFieldProps) {
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
