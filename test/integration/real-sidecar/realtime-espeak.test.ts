/**
 * The realtime speech WebSocket with the real sidecar (espeak engine): text fed word by word is heard before the
 * client flushes, and the pcm that comes back is real speech of the length the usage reports.
 */
import { expect } from "chai";
import { rmsDbfs } from "../../helpers/audio-file.js";
import { startEspeakApp, PARAGRAPH, type EspeakApp } from "../../helpers/espeak-app.js";
import { RealtimeClient } from "../../helpers/realtime-client.js";

/** pcm deltas: 24 kHz, 16-bit little-endian, mono. */
const PCM_RATE = 24_000;

const words = (text: string): string[] => text.split(/(?=\s)/);
const nonWhitespace = (text: string): string => text.replace(/\s+/g, "");

function pcmSamples(pcm: Buffer): Float32Array {
  const samples = new Float32Array(pcm.length / 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = pcm.readInt16LE(i * 2) / 32768;
  return samples;
}

describe("GET /v1/audio/speech/ws with the real sidecar (espeak engine)", function () {
  this.timeout(180_000);
  let espeak: EspeakApp;
  const clients: RealtimeClient[] = [];
  before(async () => {
    espeak = await startEspeakApp();
  });
  afterEach(() => Promise.all(clients.splice(0).map((client) => client.close())));
  after(() => espeak?.stop());

  async function connect(): Promise<RealtimeClient> {
    const client = await RealtimeClient.connect(espeak.app.baseUrl);
    clients.push(client);
    await client.next("session.created");
    return client;
  }

  it("speaks a paragraph fed word by word before the flush, as decodable pcm of a plausible duration", async () => {
    const client = await connect();
    for (const word of words(PARAGRAPH)) client.send({ type: "input_text.append", text: word });
    const first = await client.next("speech.audio.delta");
    client.send({ type: "input_text.flush" });
    const done = await client.next("speech.audio.done");
    expect(done.item_id).to.equal(first.item_id);
    expect(client.types().filter((type) => type === "error")).to.deep.equal([]);
    const pcm = client.audio(done.item_id);
    expect(pcm.length % 2).to.equal(0);
    const seconds = pcm.length / 2 / PCM_RATE;
    // espeak-ng speaks about 14 characters a second at its default rate.
    expect(seconds).to.be.within(PARAGRAPH.length / 30, PARAGRAPH.length / 6);
    expect(rmsDbfs(pcmSamples(pcm))).to.be.greaterThan(-35);
    expect(done.usage.output_audio_ms).to.be.closeTo(seconds * 1000, 5);
    expect(done.usage.input_characters).to.be.within(nonWhitespace(PARAGRAPH).length, PARAGRAPH.length);
  });

  it("starts a long text's audio long before its end, and closes after it on input_text.end", async () => {
    const text = Array.from({ length: 9 }, () => PARAGRAPH).join(" ");
    const client = await connect();
    const sent = performance.now();
    for (const word of words(text)) client.send({ type: "input_text.append", text: word });
    client.send({ type: "input_text.end" });
    const first = await client.next("speech.audio.delta");
    const done = await client.next("speech.audio.done");
    const closed = await client.closed;
    expect(closed.code).to.equal(1000);
    const firstMs = client.arrivals[client.indexOf(first)]! - sent;
    const doneMs = client.arrivals[client.indexOf(done)]! - sent;
    expect(firstMs * 4, `first audio after ${firstMs} ms, done after ${doneMs} ms`).to.be.lessThan(doneMs);
    expect(done.usage.output_audio_ms).to.be.greaterThan(text.length * 40);
  });
});
