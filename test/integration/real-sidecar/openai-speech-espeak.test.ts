/**
 * /v1/audio/speech with the real sidecar (espeak engine): concurrent requests with different voices, seeds
 * and speeds get exactly the audio they get alone (the golden test), and the formats decode as real speech.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../../src/project-root.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { startEspeakApp, PARAGRAPH, type EspeakApp } from "../../helpers/espeak-app.js";
import { probeAudio } from "../../helpers/ffprobe.js";

const SAMPLES = join(PROJECT_ROOT, "reference_audio", "samples");

describe("/v1/audio/speech with the real sidecar (espeak engine)", function () {
  this.timeout(180_000);
  let espeak: EspeakApp;
  before(async () => {
    espeak = await startEspeakApp(async (config) => {
      const voices = join(config.paths.referenceAudio, "cast");
      await mkdir(voices, { recursive: true });
      for (const name of ["synthetic-espeak-female.wav", "synthetic-espeak-male.wav"])
        await copyFile(join(SAMPLES, name), join(voices, name));
    }, "openai:\n  voice_aliases:\n    nova: cast/synthetic-espeak-female.wav\n");
  });
  after(() => espeak?.stop());

  const speech = async (body: Record<string, unknown>): Promise<Buffer> => {
    const response = await fetch(`${espeak.app.baseUrl}/v1/audio/speech`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "tts-1", response_format: "pcm", ...body }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    return Buffer.from(await response.arrayBuffer());
  };

  it("gives 8 concurrent mixed requests exactly the bytes each gets alone", async () => {
    const requests = [
      { voice: "alloy", input: "First, the built-in voice speaks slowly.", seed: 1 },
      { voice: "nova", input: "Second, an alias of a library voice.", seed: 2 },
      { voice: "cast/synthetic-espeak-male.wav", input: "Third, a library voice by its path.", seed: 3 },
      { voice: { id: "cast/synthetic-espeak-female.wav" }, input: "Fourth, a voice given as an id.", seed: 4 },
      { voice: "alloy", input: "Fifth, faster speech at one and a half.", seed: 5, speed: 1.5 },
      { voice: "cast/synthetic-espeak-male.wav", input: PARAGRAPH, seed: 6 },
      { voice: "nova", input: "Seventh, slower speech at three quarters.", seed: 7, speed: 0.75 },
      { voice: "echo", input: "Eighth and last: the same words, a different seed.", seed: 8 },
    ];
    const alone: Buffer[] = [];
    for (const request of requests) alone.push(await speech(request));
    const together = await Promise.all(requests.map((request) => speech(request)));
    for (const [k, bytes] of together.entries()) {
      expect(bytes.length, `request ${k + 1}`).to.be.greaterThan(24_000);
      expect(bytes.equals(alone[k]!), `request ${k + 1} differs from its run alone`).to.equal(true);
    }
    // The voices really differ, so a mix-up between requests would have shown.
    expect(together[2]!.equals(together[3]!)).to.equal(false);
  });

  it("speaks mp3 and opus that decode to audible speech of the paragraph's length", async () => {
    const pcm = await speech({ voice: "alloy", input: PARAGRAPH, seed: 9 });
    const seconds = pcm.length / 2 / 24_000;
    for (const [format, codec] of [
      ["mp3", "mp3"],
      ["opus", "opus"],
    ] as const) {
      const bytes = await speech({ voice: "alloy", input: PARAGRAPH, seed: 9, response_format: format });
      expect((await probeAudio(bytes)).codecName).to.equal(codec);
      const audio = await decodeAudio(bytes);
      expect(audio.samples.length / audio.sampleRate).to.be.closeTo(seconds, 0.1);
      expect(rmsDbfs(audio.samples)).to.be.greaterThan(-40);
    }
  });
});
