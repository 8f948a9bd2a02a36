/**
 * Form fields generated from a request schema of /openapi.json: each shows its default, range and help text,
 * and only the fields the user changed are sent, so the server's defaults (and a voice's stored defaults,
 * which apply to fields a request leaves unset) stay in force for the rest.
 */
import type { JSX } from "preact";
import { plainField, type FieldSchema, type ObjectSchema } from "../api/openapi";

export type FormValues = Record<string, unknown>;

interface SchemaFormProps {
  schema: ObjectSchema;
  /** The properties to show, in this order. */
  fields: readonly string[];
  values: FormValues;
  onChange: (values: FormValues) => void;
  /** Makes the ids unique when two forms share a page. */
  idPrefix: string;
}

export function SchemaFields({ schema, fields, values, onChange, idPrefix }: SchemaFormProps) {
  const set = (name: string, value: unknown, fallback: unknown) => {
    const next = { ...values };
    if (value === undefined || JSON.stringify(value) === JSON.stringify(fallback)) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <>
      {fields
        .filter((name) => schema.properties[name])
        .map((name) => {
          const field = plainField(schema.properties[name]!);
          return (
            <Field
              key={name}
              id={`${idPrefix}-${name}`}
              name={name}
              field={field}
              value={name in values ? values[name] : field.default}
              changed={name in values}
              onChange={(value) => set(name, value, field.default)}
            />
          );
        })}
    </>
  );
}

interface FieldProps {
  id: string;
  name: string;
  field: FieldSchema;
  value: unknown;
  changed: boolean;
  onChange: (value: unknown) => void;
}

function Field({ id, name, field, value, changed, onChange }: FieldProps) {
  const helpId = `${id}-help`;
  const label = labelOf(name);
  const help = (
    <small id={helpId} class="help">
      {[field.description, limitsOf(field)].filter(Boolean).join(" ")}
    </small>
  );
  if (field.type === "array" && field.items?.enum) {
    const chosen = new Set((value as string[] | undefined) ?? []);
    return (
      <fieldset class={changed ? "field changed" : "field"} aria-describedby={helpId}>
        <legend>{label}</legend>
        <div class="choices">
          {field.items.enum.map((option) => (
            <label key={String(option)}>
              <input
                type="checkbox"
                checked={chosen.has(String(option))}
                onChange={(event) => {
                  const next = new Set(chosen);
                  if (event.currentTarget.checked) next.add(String(option));
                  else next.delete(String(option));
                  onChange(field.items!.enum!.filter((item) => next.has(String(item))));
                }}
              />
              {String(option)}
            </label>
          ))}
        </div>
        {help}
      </fieldset>
    );
  }
  return (
    <div class={changed ? "field changed" : "field"}>
      <label for={id}>{label}</label>
      {control(id, helpId, field, value, onChange)}
      {help}
    </div>
  );
}

function control(
  id: string,
  helpId: string,
  field: FieldSchema,
  value: unknown,
  onChange: (value: unknown) => void,
): JSX.Element {
  const common = { id, "aria-describedby": helpId };
  if (field.type === "boolean") {
    return (
      <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
    );
  }
  if (field.enum) {
    return (
      <select {...common} value={String(value ?? "")} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
        {value === undefined && <option value="">(server default)</option>}
        {field.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === "number" || field.type === "integer") {
    return (
      <input
        {...common}
        type="number"
        inputMode="decimal"
        min={field.minimum}
        max={field.maximum}
        step={field.type === "integer" ? 1 : "any"}
        value={value === undefined ? "" : String(value)}
        onInput={(e) => {
          const text = e.currentTarget.value;
          onChange(text === "" ? undefined : Number(text));
        }}
      />
    );
  }
  if ((field.maxLength ?? 0) > 500) {
    return (
      <textarea
        {...common}
        rows={6}
        maxLength={field.maxLength}
        value={String(value ?? "")}
        onInput={(e) => onChange(e.currentTarget.value || undefined)}
      />
    );
  }
  return (
    <input
      {...common}
      type="text"
      value={String(value ?? "")}
      onInput={(e) => onChange(e.currentTarget.value || undefined)}
    />
  );
}

/** Words of field names that read better spelled out, or as the abbreviation people know. */
const WORDS: Record<string, string> = {
  cfg: "CFG",
  wav: "WAV",
  ae: "auto-editor",
  tp: "true peak",
  lra: "LRA",
  lufs: "(LUFS)",
  ms: "(ms)",
  sec: "(s)",
};

/** `cfg_weight` → `CFG weight`, `trim_threshold_ms` → `Trim threshold (ms)`. */
function labelOf(name: string): string {
  const words = name
    .split("_")
    .map((word) => WORDS[word] ?? word)
    .join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function limitsOf(field: FieldSchema): string {
  const parts: string[] = [];
  // A null default means "none": the help text says what leaving the field empty does.
  if (field.default != null && field.type !== "boolean") parts.push(`Default ${JSON.stringify(field.default)}.`);
  if (field.minimum !== undefined && field.maximum !== undefined) parts.push(`${field.minimum} to ${field.maximum}.`);
  return parts.join(" ");
}
