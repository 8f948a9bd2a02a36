// Streams speech from the inference sidecar with a client built at run time from the .proto file
// (@grpc/proto-loader + @grpc/grpc-js): no code generation step, which suits scripts and quick tools.
// The Koa server itself uses ts-proto's generated, typed client instead (docs/architecture.md).
//
//   node docs/examples/stream-client.mjs --address 127.0.0.1:7861 \
//     --text "First sentence. Second sentence. A third one." --out /tmp/speech.wav
//
// Each line shows the milliseconds since the call started and the event, so you can watch the first
// audio arrive while later sentences are still being generated. Errors print the gRPC status and message.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
  options: {
    address: { type: "string", default: "127.0.0.1:7861" },
    text: { type: "string", default: "One sentence at a time. Each is sent as soon as it exists. Listen early." },
    seed: { type: "string" },
    out: { type: "string" },
    "request-id": { type: "string", default: `node-example-${Date.now()}` },
    "timeout-seconds": { type: "string", default: "300" },
  },
});

// keepCase: field names as the .proto spells them; enums: String keeps enum names readable in the output;
// longs: Number turns uint64 offsets into numbers.
const definition = protoLoader.loadSync(join(repoRoot, "proto", "chatterbox", "v1", "speech.proto"), {
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
  oneofs: true,
});
const { SpeechService } = grpc.loadPackageDefinition(definition).chatterbox.v1;
// The sidecar sends up to 64 MiB per message; grpc-js receives 4 MiB by default.
const client = new SpeechService(args.address, grpc.credentials.createInsecure(), {
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
});

/** A naive sentence splitter (the Koa server has a real one), cut to the engine's segment limit. */
function segmentsOf(text, limit) {
  const sentences = text.trim().split(/(?<=[.!?])\s+/);
  return sentences.flatMap((sentence) => sentence.match(new RegExp(`.{1,${limit}}(\\s|$)`, "g")) ?? []);
}

function modelInfo() {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5_000;
    client.getModelInfo({}, new grpc.Metadata(), { deadline }, (error, reply) =>
      error ? reject(error) : resolve(reply.model),
    );
  });
}

/** A mono float32 WAV file (format tag 3) around raw little-endian samples. */
function floatWav(pcm, sampleRate) {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(32, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

function synthesize(model) {
  const seed = args.seed === undefined ? {} : { seed: Number(args.seed) };
  const segments = segmentsOf(args.text, model.max_segment_chars).map((text) => ({ text: text.trim(), ...seed }));
  const metadata = new grpc.Metadata();
  metadata.set("x-request-id", args["request-id"]);
  const deadline = Date.now() + Number(args["timeout-seconds"]) * 1000;
  const started = performance.now();
  const at = () => `${String(Math.round(performance.now() - started)).padStart(7)} ms`;
  const call = client.synthesizeStream({ input: { segments }, max_chunk_ms: 500 }, metadata, { deadline });
  const chunks = [];
  let sampleRate = model.sample_rate_hz;
  call.on("data", (message) => {
    if (message.start) {
      sampleRate = message.start.format.sample_rate_hz;
      console.log(
        `${at()}  start  ${message.start.segment_count} segments, ${message.start.engine} at ${sampleRate} Hz`,
      );
    } else if (message.audio) {
      const { segment_index: index, data, segment_final: final } = message.audio;
      chunks.push(data);
      console.log(`${at()}  audio  segment ${index} ${data.length / 4} samples${final ? "  (segment done)" : ""}`);
    } else if (message.end) {
      console.log(
        `${at()}  end    ${message.end.stats.audio_samples} samples in ${message.end.stats.generation_ms} ms`,
      );
    }
  });
  return new Promise((resolve, reject) => {
    call.on("error", reject);
    call.on("end", () => resolve({ pcm: Buffer.concat(chunks), sampleRate }));
  });
}

try {
  const model = await modelInfo();
  console.log(`engine ${model.engine} (${model.engine_version}), ${model.sample_rate_hz} Hz`);
  const { pcm, sampleRate } = await synthesize(model);
  if (args.out) {
    writeFileSync(args.out, floatWav(pcm, sampleRate));
    console.log(`wrote ${args.out}`);
  }
} catch (error) {
  console.error(`failed: ${grpc.status[error.code] ?? "?"} ${error.details ?? error.message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
