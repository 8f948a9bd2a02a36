/** The take heard while it was generated: its player, how soon it spoke, and the way to save it as files. */
import type { RefObject } from "preact";
import type { FormValues } from "../components/schema-form";
import { Facts } from "../components/facts";
import { Warnings } from "./generate-result";

export interface Take {
  /** The request that spoke it, to repeat in JSON mode. */
  body: FormValues;
  /** The MediaSource's blob: URL. */
  url: string;
  seed: number | undefined;
  engine: string | null;
  warnings: string[];
  /** From sending the request to the first bytes of audio in the player. */
  firstAudioMs?: number;
}

interface TakeProps {
  take: Take | null;
  /** The <audio> element the stream is fed into; it exists before the first request, so playback can attach. */
  audio: RefObject<HTMLAudioElement | null>;
  busy: boolean;
  onSave: (take: Take) => void;
}

export function ProgressiveTake({ take, audio, busy, onSave }: TakeProps) {
  return (
    <section aria-labelledby="generate-take-title">
      <h3 id="generate-take-title">Played while generating</h3>
      <audio ref={audio} controls aria-label="Speech as it is generated" />
      {!take ? (
        <p>Generate to hear the speech here as soon as its first sentence is spoken.</p>
      ) : (
        <>
          <Facts
            facts={[
              [
                "Time to first audio",
                take.firstAudioMs === undefined ? "waiting…" : `${Math.round(take.firstAudioMs)} ms`,
              ],
              ["Engine", take.engine],
              ["Seed", take.seed === undefined ? undefined : String(take.seed)],
            ]}
          />
          <Warnings warnings={take.warnings} />
          <p>
            This take was streamed, not saved: no file was written to the outputs. Saving it generates it again with the
            same seed, which gives the same speech, and keeps every export format, the captions and the metadata
            (trimming, pause shortening, loudness and verification, when chosen, apply to the saved files only).
          </p>
          <div class="actions">
            <button type="button" onClick={() => onSave(take)} disabled={busy}>
              Save this take
            </button>
          </div>
        </>
      )}
    </section>
  );
}
