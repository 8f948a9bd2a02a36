// Speaks text through the realtime speech WebSocket (docs/api/realtime.md) the way a voice agent would: the
// text goes out word by word, as an LLM streams its answer, and the 24 kHz 16-bit mono PCM that comes back is
// written to a file as it arrives. The server starts speaking at the first sentence end, long before the last
// word is sent.
//
//   node docs/examples/realtime-client.mjs --url ws://127.0.0.1:7860/v1/audio/speech/ws \
//     --text "Hello there. This is spoken while it is still being typed." --out speech.pcm
//
// Play the result with: ffmpeg -f s16le -ar 24000 -ac 1 -i speech.pcm speech.wav
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import WebSocket from "ws";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:7860/v1/audio/speech/ws" },
    text: {
      type: "string",
      default: "Realtime speech starts at the first sentence end. The rest follows while it is still being written.",
    },
    voice: { type: "string" },
    out: { type: "string", default: "speech.pcm" },
    // The pause between two words, like the pace of an LLM's tokens; 0 sends them all at once.
    "word-delay-ms": { type: "string", default: "40" },
  },
});

const started = performance.now();
const at = () => `${String(Math.round(performance.now() - started)).padStart(6)} ms`;
const out = createWriteStream(args.out);
const ws = new WebSocket(args.url);
let textSent = false;
let firstAudio = true;

const send = (event) => ws.send(JSON.stringify(event));

/** Sends the text one word at a time (each with the space before it), then asks for the rest and the end. */
async function feedText() {
  for (const word of args.text.split(/(?=\s)/)) {
    send({ type: "input_text.append", text: word });
    await new Promise((resolve) => setTimeout(resolve, Number(args["word-delay-ms"])));
  }
  // input_text.end speaks what is still buffered, then the server closes the socket after the last audio.
  send({ type: "input_text.end" });
  textSent = true;
  console.log(`${at()}  all text sent`);
}

ws.on("message", (data) => {
  const event = JSON.parse(String(data));
  switch (event.type) {
    case "session.created":
      console.log(`${at()}  session ${event.session.id}`);
      send({
        type: "session.update",
        session: { response_format: "pcm", ...(args.voice ? { voice: args.voice } : {}) },
      });
      break;
    case "session.updated":
      console.log(`${at()}  voice ${event.session.voice ?? "(built-in)"}, ${event.session.response_format}`);
      feedText().catch((error) => console.error(error));
      break;
    case "speech.audio.delta":
      if (firstAudio) console.log(`${at()}  first audio${textSent ? "" : ", while the text is still being sent"}`);
      firstAudio = false;
      out.write(Buffer.from(event.audio, "base64"));
      break;
    case "speech.audio.done":
      console.log(
        `${at()}  ${event.item_id} done: ${event.usage.input_characters} characters, ${event.usage.output_audio_ms} ms of audio`,
      );
      for (const warning of event.warnings) console.log(`          warning: ${warning}`);
      break;
    case "error":
      console.error(`${at()}  error ${event.error.code}: ${event.error.message}`);
      process.exitCode = 1;
      break;
  }
});

ws.on("close", (code, reason) => {
  out.end(() => console.log(`${at()}  closed (${code}${reason.length > 0 ? ` ${reason}` : ""}); wrote ${args.out}`));
  if (code !== 1000) process.exitCode = 1;
});

ws.on("error", (error) => {
  console.error(`failed: ${error.message}`);
  process.exitCode = 1;
});
