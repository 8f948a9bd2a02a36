/** The Generate form's fields: text, voice and engine drawn here, every other TtsRequest field from the schema. */
import type { ComponentChildren } from "preact";
import { plainField, type ObjectSchema } from "../api/openapi";
import { SchemaFields, type FormValues } from "../components/schema-form";
import { VoicePicker } from "../components/voice-picker";
import { fieldGroups, type FieldGroup } from "./generate-fields";
import { speakingEngine, type LoadedEngine } from "./generate-request";

export interface Choices {
  text: string;
  /** The voice's library path, "" for the engine's own voice. */
  voice: string;
  /** "" for the server's default engine. */
  engine: string;
  values: FormValues;
}

interface FormProps {
  schema: ObjectSchema;
  engines: readonly LoadedEngine[];
  choices: Choices;
  onChange: (choices: Choices) => void;
}

export function GenerateFields({ schema, engines, choices, onChange }: FormProps) {
  const setValues = (values: FormValues) => onChange({ ...choices, values });
  return (
    <>
      {fieldGroups(schema).map((group) => (
        <Group key={group.title} group={group} values={choices.values}>
          {group.title === "Text and voice" && (
            <TextAndVoice schema={schema} engines={engines} choices={choices} onChange={onChange} />
          )}
          <SchemaFields
            schema={schema}
            fields={group.fields}
            values={choices.values}
            onChange={setValues}
            idPrefix="tts"
          />
        </Group>
      ))}
    </>
  );
}

/** The everyday groups stay open; the rest fold away and say how many of their fields were changed. */
function Group({ group, values, children }: { group: FieldGroup; values: FormValues; children: ComponentChildren }) {
  if (!group.folded) {
    return (
      <fieldset class="panel">
        <legend>{group.title}</legend>
        <div class="grid">{children}</div>
      </fieldset>
    );
  }
  const changed = group.fields.filter((name) => name in values).length;
  return (
    <details class="panel">
      <summary>
        {group.title}
        {changed > 0 && ` (${changed} changed)`}
      </summary>
      <div class="grid">{children}</div>
    </details>
  );
}

function TextAndVoice({ schema, engines, choices, onChange }: FormProps) {
  const text = plainField(schema.properties.text ?? {});
  const speaker = speakingEngine(choices.engine, engines);
  const defaultEngine = engines.find((engine) => engine.default)?.name;
  return (
    <>
      <div class="field text-field">
        <label for="tts-text">Text</label>
        <textarea
          id="tts-text"
          rows={6}
          required
          maxLength={text.maxLength}
          aria-describedby="tts-text-help"
          value={choices.text}
          onInput={(event) => onChange({ ...choices, text: event.currentTarget.value })}
        />
        <small id="tts-text-help" class="help">
          {text.description} {choices.text.length} of {text.maxLength ?? "unlimited"} characters.
        </small>
      </div>
      <VoicePicker
        id="tts-voice"
        label="Reference voice"
        value={choices.voice}
        optional
        onChange={(voice) => onChange({ ...choices, voice })}
      />
      <div class="field">
        <label for="tts-engine">Engine</label>
        <select
          id="tts-engine"
          aria-describedby="tts-engine-help"
          value={choices.engine}
          onChange={(event) => onChange({ ...choices, engine: event.currentTarget.value })}
        >
          <option value="">Server default{defaultEngine ? ` (${defaultEngine})` : ""}</option>
          <option value="auto">auto (first loaded of chatterbox, piper, espeak)</option>
          {engines.map((engine) => (
            <option key={engine.name} value={engine.name}>
              {engine.name}
            </option>
          ))}
        </select>
        <small id="tts-engine-help" class="help">
          {speaker ? `Will speak: ${speaker}.` : "No engine is loaded yet: the server is starting."} Only loaded engines
          are offered.
        </small>
      </div>
    </>
  );
}
