/**
 * Generate: text to speech with every field of POST /api/v1/tts. The default saves the files and shows them
 * (player, downloads, metadata, warnings); "Play while generating" streams MP3 into the player as it is
 * spoken, which saves nothing, and offers to save the same take (same seed) afterwards.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { requestSchema, type ObjectSchema } from "../api/openapi";
import type { FormValues } from "../components/schema-form";
import { ErrorMessage } from "../components/error-message";
import { useElapsed } from "../components/use-elapsed";
import { GenerateFields, type Choices } from "./generate-form";
import { ProgressiveTake, type Take } from "./generate-take";
import { canPlayProgressively, playProgressively } from "./generate-progressive-player";
import {
  generateProgressive,
  generateSaved,
  loadedEngines,
  type LoadedEngine,
  type TtsAnswer,
} from "./generate-request";
import { SavedResult } from "./generate-result";
import "./generate.css";

interface Busy {
  label: string;
  started: number;
}

export function GenerateTab() {
  const [schema, setSchema] = useState<ObjectSchema | null>(null);
  const [engines, setEngines] = useState<LoadedEngine[]>([]);
  const [choices, setChoices] = useState<Choices>({ text: "", voice: "", engine: "", values: {} });
  const [progressive, setProgressive] = useState(false);
  const [busy, setBusy] = useState<Busy | null>(null);
  const [outcome, setOutcome] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<TtsAnswer | null>(null);
  const [take, setTake] = useState<Take | null>(null);
  const elapsed = useElapsed(busy?.started ?? null);
  const audio = useRef<HTMLAudioElement>(null);
  const running = useRef<AbortController | null>(null);

  useEffect(() => {
    requestSchema("TtsRequest").then(setSchema).catch(setError);
    loadedEngines().then(setEngines).catch(setError);
    // Leaving the section stops the work: the server abandons a request whose client went away.
    return () => running.current?.abort();
  }, []);
  useEffect(() => () => void (take?.url && URL.revokeObjectURL(take.url)), [take?.url]);

  /** Runs one request with the status line, the error and the Cancel button wired to it. */
  const run = async (label: string, work: (signal: AbortSignal) => Promise<string>) => {
    const controller = new AbortController();
    running.current = controller;
    const started = performance.now();
    setError(null);
    setOutcome("");
    setBusy({ label, started });
    try {
      setOutcome(`${await work(controller.signal)} in ${seconds(performance.now() - started)}.`);
    } catch (failure) {
      setOutcome(controller.signal.aborted ? "Cancelled." : "Failed.");
      if (!controller.signal.aborted) setError(failure);
    } finally {
      running.current = null;
      setBusy(null);
    }
  };

  const save = (body: FormValues) =>
    run("Generating", async (signal) => {
      const saved = await generateSaved(body, signal);
      setAnswer(saved);
      return `Saved ${saved.output_files.length} files, spoken by ${saved.engine},`;
    });

  const stream = (body: FormValues) =>
    run("Generating while playing", async (signal) => {
      setAnswer(null);
      const started = performance.now();
      const reply = await generateProgressive(body, signal);
      const playback = playProgressively({
        response: reply.response,
        audio: audio.current!,
        onFirstAudio: () => setTake((now) => now && { ...now, firstAudioMs: performance.now() - started }),
      });
      setTake({ body, url: playback.url, seed: reply.seed, engine: reply.engine, warnings: reply.warnings });
      await playback.done;
      return `Streamed, spoken by ${reply.engine ?? "the server's engine"},`;
    });

  const submit = (event: Event) => {
    event.preventDefault();
    const body = requestBody(choices);
    if (progressive) void stream(body);
    else void save(body);
  };

  if (!schema) return error ? <ErrorMessage error={error} /> : <p role="status">Loading the form…</p>;
  return (
    <div class="generate">
      <form noValidate onSubmit={submit}>
        <GenerateFields schema={schema} engines={engines} choices={choices} onChange={setChoices} />
        <div class="actions">
          <label class="inline">
            <input
              type="checkbox"
              checked={progressive}
              // Switching during a request would take away the player the stream is attached to.
              disabled={busy !== null || !canPlayProgressively()}
              onChange={(e) => setProgressive(e.currentTarget.checked)}
            />
            Play while generating (streams MP3, saves no file)
            {!canPlayProgressively() && ": this browser cannot play MP3 while it streams"}
          </label>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy !== null || choices.text.trim() === ""}>
            Generate
          </button>
          {busy && (
            <button type="button" onClick={() => running.current?.abort()}>
              Cancel
            </button>
          )}
        </div>
        <p role="status" class="generate-status">
          {busy ? `${busy.label}… ${seconds(elapsed)}` : outcome}
        </p>
        <ErrorMessage error={error} />
      </form>
      {(progressive || take) && (
        <ProgressiveTake
          take={take}
          audio={audio}
          busy={busy !== null}
          onSave={(current) => void save({ ...current.body, ...(current.seed ? { seed: current.seed } : {}) })}
        />
      )}
      {answer && <SavedResult answer={answer} />}
    </div>
  );
}

/** Only what the user chose: the text always, the voice and engine when picked, the fields they changed. */
function requestBody({ text, voice, engine, values }: Choices): FormValues {
  return {
    text,
    ...(voice ? { reference_audio_filename: voice } : {}),
    ...(engine ? { engine } : {}),
    ...values,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
