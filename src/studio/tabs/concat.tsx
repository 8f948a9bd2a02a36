/**
 * Concat (POST /api/v1/concat/mixed, docs/api/concat.md): a sequence of outputs, uploads and silences, built
 * by drag and drop or with buttons, joined with the gap and level settings of the request schema.
 */
import { useEffect, useState } from "preact/hooks";
import { sendForm } from "../api/client";
import { requestSchema, type ObjectSchema } from "../api/openapi";
import { ErrorMessage } from "../components/error-message";
import { SchemaFields, type FormValues } from "../components/schema-form";
import { mixedForm, nextId, type DragPayload, type OutputFile, type SequenceItem, type Upload } from "./concat-model";
import { ResultView, type ConcatResult } from "./concat-result";
import { Sequence } from "./concat-sequence";
import { OutputSource, UploadSource } from "./concat-sources";
import "./concat.css";

/** The settings shown, in this order; the segments are the sequence itself. */
const SETTINGS = [
  "pause_duration_ms",
  "pause_variation_ms",
  "crossfade_ms",
  "seed",
  "normalize_levels",
  "trim",
  "trim_threshold_ms",
  "loudness_target_lufs",
  "export_formats",
  "wav_sample_format",
  "output_filename",
  "overwrite",
  "project",
] as const;

export function ConcatTab() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [items, setItems] = useState<SequenceItem[]>([]);
  const [schema, setSchema] = useState<ObjectSchema | null>(null);
  const [settings, setSettings] = useState<FormValues>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ConcatResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [outputsVersion, setOutputsVersion] = useState(0);

  useEffect(() => {
    requestSchema("ConcatMixedRequest").then(setSchema).catch(setError);
  }, []);

  const append = (item: SequenceItem) => setItems((current) => [...current, item]);
  const outputItem = (output: OutputFile): SequenceItem => ({ id: nextId("output"), kind: "output", output });
  const uploadItem = (upload: Upload): SequenceItem => ({ id: nextId("upload"), kind: "upload", upload });
  const itemOf = (payload: DragPayload): SequenceItem | null => {
    if (!("add" in payload)) return null;
    if (payload.add === "output") return outputItem(payload.output);
    const upload = uploads.find((candidate) => candidate.id === payload.id);
    return upload ? uploadItem(upload) : null;
  };

  const join = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const made = await sendForm<ConcatResult>(
        "POST",
        "/api/v1/concat/mixed?response_mode=json",
        mixedForm(items, settings),
      );
      setResult(made);
      setOutputsVersion((version) => version + 1);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const hasAudio = items.some((item) => item.kind !== "silence");

  return (
    <>
      <div class="concat-sources">
        <OutputSource version={outputsVersion} onAdd={(output) => append(outputItem(output))} />
        <UploadSource
          uploads={uploads}
          onUpload={(file) => setUploads((current) => [...current, { id: nextId("file"), file }])}
          onAdd={(upload) => append(uploadItem(upload))}
          onRemove={(upload) => {
            setUploads((current) => current.filter((other) => other !== upload));
            setItems((current) => current.filter((item) => item.kind !== "upload" || item.upload !== upload));
          }}
        />
      </div>
      <form onSubmit={join}>
        <Sequence items={items} onChange={setItems} itemOf={itemOf} />
        <fieldset class="panel">
          <legend>Gaps, levels and output</legend>
          {schema ? (
            <div class="grid">
              <SchemaFields
                schema={schema}
                fields={SETTINGS}
                values={settings}
                onChange={setSettings}
                idPrefix="concat"
              />
            </div>
          ) : (
            !error && <p role="status">Loading the settings…</p>
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !hasAudio}>
            {busy ? "Joining…" : "Join"}
          </button>
        </div>
        {busy && <p role="status">Joining {items.length} items…</p>}
        {!hasAudio && <p class="help">Add at least one output or upload to join.</p>}
        <ErrorMessage error={error} />
      </form>
      {result && <ResultView result={result} />}
    </>
  );
}
