/**
 * Turns SynthesizeStream messages into domain SynthesisEvents. Stateful because the `start` event, which must
 * come first, announces the format; an audio chunk that states a different one is a protocol error.
 */
import type { SynthesisEvent } from "../domain/inference.js";
import type { AudioEncoding, SynthesizeStreamResponse } from "./generated/chatterbox/v1/speech.js";
import { engineFromProto, protocolError, samplesFromProto, statsFromProto } from "./proto-mapping.js";

/** Decodes the messages of one SynthesizeStream call; use a new decoder per call. */
export class SynthesisEventDecoder {
  private encoding: AudioEncoding | undefined;
  private ended = false;

  /** Decodes one message; throws a protocol error when the sidecar breaks the event order. */
  decode(message: SynthesizeStreamResponse): SynthesisEvent {
    const event = message.event;
    if (event === undefined) throw protocolError("a stream message without an event");
    if (this.ended) throw protocolError(`a ${event.$case} event after the end event`);
    switch (event.$case) {
      case "start": {
        if (this.encoding !== undefined) throw protocolError("a second start event");
        const format = event.start.format;
        if (!format) throw protocolError("a start event without a format");
        this.encoding = format.encoding;
        return {
          type: "start",
          sampleRate: format.sampleRateHz,
          segmentCount: event.start.segmentCount,
          engine: engineFromProto(event.start.engine),
        };
      }
      case "audio": {
        if (this.encoding === undefined) throw protocolError("audio before the start event");
        if (event.audio.format && event.audio.format.encoding !== this.encoding) {
          throw protocolError("an audio chunk in another encoding than the start event announced");
        }
        return {
          type: "audio",
          samples: samplesFromProto(event.audio.data, this.encoding),
          segmentIndex: event.audio.segmentIndex,
          segmentFinal: event.audio.segmentFinal,
        };
      }
      case "end":
        if (this.encoding === undefined) throw protocolError("an end event before the start event");
        this.ended = true;
        return { type: "end", stats: statsFromProto(event.end.stats) };
    }
  }

  /** Called when the call finished with OK: a stream without `end` is incomplete audio, not success. */
  assertComplete(): void {
    if (!this.ended) throw protocolError("the stream finished without an end event");
  }
}
