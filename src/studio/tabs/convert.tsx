/**
 * Voice conversion: a source recording (uploaded, recorded or from the VC inputs library) said again in a
 * library voice, with pitch shift and the other POST /api/v1/vc settings from the server's own schema. The
 * result comes back as JSON describing its files; it plays beside the source for A/B listening.
 */
import { useEffect, useState } from "preact/hooks";
import { blobUrl, encodePath, sendForm, sendJson } from "../api/client";
import { POST_PROCESSING_FIELDS } from "../../domain/post-processing-fields";
import { requestSchema, type ObjectSchema } from "../api/openapi";
import { ErrorMessage } from "../components/error-message";
import { SchemaFields, type FormValues } from "../components/schema-form";
import { VoicePicker } from "../components/voice-picker";
import { AbPlayers } from "./convert-ab";
import { ConvertResult, type VcAnswer } from "./convert-result";
import { SourceChooser, type ConvertSource } from "./convert-source";
import "./convert.css";

const MAIN_FIELDS = ["pitch_shift", "export_formats", "project"] as const;
const MORE_FIELDS = [
  "chunk_sec",
  "overlap_sec",
  "wav_sample_format",
  "disable_watermark",
  ...POST_PROCESSING_FIELDS,
] as const;

export function ConvertTab() {
  const [schema, setSchema] = useState<ObjectSchema | null>(null);
  const [source, setSource] = useState<ConvertSource>({ kind: "file", file: null });
  const [target, setTarget] = useState("");
  const [values, setValues] = useState<FormValues>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ answer: VcAnswer; source: string; result: string } | null>(null);
  useEffect(() => {
    requestSchema("VcRequest").then(setSchema).catch(setError);
  }, []);
  useEffect(
    () => () => {
      if (done) [done.source, done.result].forEach((url) => URL.revokeObjectURL(url));
    },
    [done],
  );

  const convert = async (event: Event) => {
    event.preventDefault();
    const missing = missingChoice(source, target);
    if (missing) return setError(new Error(missing));
    setBusy(true);
    setError(null);
    try {
      const answer = await requestConversion(source, target, values);
      setDone({ answer, source: await sourceUrl(source), result: await blobUrl(playable(answer).url) });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="convert" onSubmit={convert}>
      <SourceChooser source={source} onChange={setSource} />
      <fieldset class="panel">
        <legend>Target voice and settings</legend>
        <VoicePicker id="convert-target" label="Target voice (required)" value={target} onChange={setTarget} />
        {schema && (
          <>
            <div class="grid">
              <SchemaFields schema={schema} fields={MAIN_FIELDS} values={values} onChange={setValues} idPrefix="vc" />
            </div>
            <details>
              <summary>More settings (chunking, trimming, normalization, export)</summary>
              <div class="grid">
                <SchemaFields schema={schema} fields={MORE_FIELDS} values={values} onChange={setValues} idPrefix="vc" />
              </div>
            </details>
          </>
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Converting…" : "Convert"}
        </button>
        <span role="status">{busy ? "Converting the recording…" : ""}</span>
      </div>
      <ErrorMessage error={error} />
      {done && (
        <section aria-labelledby="convert-result-title">
          <h3 id="convert-result-title">Result</h3>
          <AbPlayers source={done.source} result={done.result} />
          <ConvertResult answer={done.answer} />
        </section>
      )}
    </form>
  );
}

function missingChoice(source: ConvertSource, target: string): string | null {
  if (source.kind === "file" && !source.file) return "Choose, drop or record the source recording first.";
  if (source.kind === "library" && !source.path) return "Choose the source recording from the library first.";
  if (!target) return "Choose the target voice first.";
  return null;
}

/**
 * A new file goes as multipart (the file as `input_audio`, every other field as text, lists comma-separated),
 * a library recording as JSON naming it. Only the settings the user changed are sent.
 */
function requestConversion(source: ConvertSource, target: string, values: FormValues): Promise<VcAnswer> {
  const path = "/api/v1/vc?response_mode=json";
  if (source.kind === "library")
    return sendJson("POST", path, { ...values, input_audio_source: source.path, target_voice_source: target });
  const form = new FormData();
  form.set("input_audio", source.file!);
  form.set("target_voice_source", target);
  for (const [name, value] of Object.entries(values))
    form.set(name, Array.isArray(value) ? value.join(",") : String(value));
  return sendForm("POST", path, form);
}

async function sourceUrl(source: ConvertSource): Promise<string> {
  if (source.kind === "file") return URL.createObjectURL(source.file!);
  return blobUrl(`/api/v1/vc_inputs/${encodePath(source.path)}/audio`);
}

/** The format a browser plays best among those made: WAV, else MP3, FLAC, Opus, else the first. */
function playable(answer: VcAnswer): VcAnswer["output_files"][number] {
  for (const format of ["wav", "mp3", "flac", "opus"]) {
    const found = answer.output_files.find((file) => file.format === format);
    if (found) return found;
  }
  return answer.output_files[0]!;
}
