/**
 * A large outputs/ tree for the library benchmark: `book<b>/chapter<c>/` leaf folders of TTS outputs with the
 * names the server gives them (output-name.ts) and the companion JSON the TTS pipeline writes next to each
 * file (tts-metadata.ts). The audio files are a few bytes each: the index takes duration and sample rate from
 * the companion and never opens a file whose companion has them. Written synchronously, one file after
 * another: that is the fastest way to make 200 000 small files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeWav } from "../../src/audio/wav.js";
import { CONTRACT_TTS_DEFAULTS } from "../../src/domain/tts-fields.js";
import { outputStem, ttsNameParts, type TtsNameParams } from "../../src/services/output-name.js";
import { seededRandom } from "../../src/domain/seeded-random.js";

export interface TreeShape {
  books: number;
  chaptersPerBook: number;
  filesPerFolder: number;
}

export interface GeneratedTree {
  files: number;
  folders: number;
  /** A substring of the names of only a handful of files: a seed that few outputs asked for. */
  rareSearch: string;
  rareMatches: number;
  /** A folder holding about 1/`books` of the files, below it. */
  bookFolder: string;
  bookFiles: number;
  durationMs: number;
}

/** The seed of the rare outputs; other seeds stay below 10 000, so this one never matches by accident. */
const RARE_SEED = 20250607;
/** Every this many outputs asks for the rare seed. */
const RARE_EVERY = 14_999;
const SAMPLE_RATE = 24000;
const PHRASES = [
  "The rain had not stopped for three days, and the river was already over the lower road.",
  "She opened the letter slowly, as if the words inside could still be changed.",
  "Nobody in the village remembered who had planted the old oak by the mill.",
  "He counted the steps to the door twice before he dared to knock.",
];

const AUDIO_BYTES: Record<string, Buffer> = {
  wav: encodeWav({ sampleRate: SAMPLE_RATE, samples: new Float32Array(0) }), // a valid file with no samples
  mp3: Buffer.from([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0]), // an empty ID3v2.4 tag
  flac: Buffer.from("fLaC", "ascii"),
};

interface Output {
  stem: string;
  formats: string[];
  companion: string;
}

/** Generates outputs one at a time, each a few minutes after the previous one, as a long audiobook job would. */
class OutputFactory {
  private readonly random = seededRandom(42);
  private clockMs = new Date(2024, 0, 8, 9, 0, 0).getTime();
  private count = 0;

  /** An output of at most `room` files for `folder`. */
  next(folder: string, room: number): Output {
    const r = this.random;
    this.count += 1;
    this.clockMs += 20_000 + Math.floor(r() * 160_000);
    const roll = r();
    const formats = roll < 0.1 && room >= 2 ? ["wav", "mp3"] : roll > 0.95 ? ["flac"] : ["wav"];
    const seed = this.count % RARE_EVERY === 0 ? RARE_SEED : r() < 0.3 ? 1 + Math.floor(r() * 9999) : 0;
    const name: TtsNameParams = {
      temperature: [0.75, 0.8, 0.6][Math.floor(r() * 3)]!,
      requestedSeed: seed,
      exaggeration: r() < 0.8 ? 0.5 : 0.7,
      speedFactor: r() < 0.9 ? 1.0 : 1.1,
      trim: r() < 0.2,
      trimThresholdMs: 200,
    };
    const date = new Date(this.clockMs);
    const stem = outputStem({
      kind: "tts",
      parts: ttsNameParts(name),
      at: { date, microseconds: Math.floor(r() * 1e6) },
    });
    const text = `${PHRASES[this.count % PHRASES.length]} (${folder}, part ${this.count})`;
    const companion = this.companion({ stem, formats, folder, text, name, date });
    return { stem, formats, companion };
  }

  private companion(o: {
    stem: string;
    formats: string[];
    folder: string;
    text: string;
    name: TtsNameParams;
    date: Date;
  }) {
    const r = this.random;
    const durationSeconds = Math.round(o.text.length * 0.065 * (0.8 + r() * 0.4) * 1000) / 1000;
    const metadata = {
      type: "tts",
      created_at: o.date.toISOString(),
      parameters: {
        text: o.text,
        reference_audio_filename: "narrators/ellen.wav",
        project: o.folder,
        language: "en",
        ...CONTRACT_TTS_DEFAULTS,
        temperature: o.name.temperature,
        seed: o.name.requestedSeed,
        exaggeration: o.name.exaggeration,
        speed_factor: o.name.speedFactor,
        trim: o.name.trim,
        export_formats: o.formats,
      },
      generation_info: {
        seed_used: o.name.requestedSeed || Math.floor(r() * 2 ** 31),
        engine: "chatterbox",
        processing_time_seconds: Math.round(durationSeconds * (0.3 + r() * 0.4) * 100) / 100,
        text_length: o.text.length,
        processed_text_length: o.text.length,
        chunks_processed: 1 + Math.floor(o.text.length / 300),
        sample_rate: SAMPLE_RATE,
        duration_seconds: durationSeconds,
        watermarked: false,
        speed_factor_library_used: o.name.speedFactor === 1.0 ? null : "audiostretchy",
        trim: null,
        voice_defaults_applied: {},
      },
      files: Object.fromEntries(o.formats.map((format) => [format, `${o.stem}.${format}`])),
      warnings: [],
    };
    // As writeCompanion writes it.
    return `${JSON.stringify(metadata, null, 2)}\n`;
  }
}

/** Writes the tree below `root` (which must exist) and says what it holds. */
export function generateOutputsTree(root: string, shape: TreeShape): GeneratedTree {
  const started = performance.now();
  const factory = new OutputFactory();
  const bookFolder = `book${Math.min(7, shape.books)}`;
  const facts = { files: 0, folders: 0, rareMatches: 0, bookFiles: 0 };
  for (let book = 1; book <= shape.books; book += 1) {
    for (let chapter = 1; chapter <= shape.chaptersPerBook; chapter += 1) {
      const folder = `book${book}/chapter${chapter}`;
      mkdirSync(join(root, folder), { recursive: true });
      facts.folders += 1;
      for (let written = 0; written < shape.filesPerFolder;) {
        const output = factory.next(folder, shape.filesPerFolder - written);
        for (const format of output.formats) {
          const path = join(root, folder, `${output.stem}.${format}`);
          writeFileSync(path, AUDIO_BYTES[format]!);
          writeFileSync(`${path}.json`, output.companion);
        }
        written += output.formats.length;
        if (output.stem.includes(`seed${RARE_SEED}`)) facts.rareMatches += output.formats.length;
        if (folder.startsWith(`${bookFolder}/`)) facts.bookFiles += output.formats.length;
      }
      facts.files += shape.filesPerFolder;
    }
  }
  return { ...facts, rareSearch: `seed${RARE_SEED}`, bookFolder, durationMs: performance.now() - started };
}
