/**
 * Generated output filenames (spec §4.1): `{type}_{YYYY-MM-DD}_{HHMMSS}_{microseconds:06d}_{params}.{ext}` in
 * local time. Clients parse these names, so numbers are printed the way Python's `str()` prints them.
 */

/** A wall-clock instant with microsecond resolution: `date` up to the second, `microseconds` the rest. */
export interface Timestamp {
  date: Date;
  /** The sub-second part in microseconds, 0..999999. */
  microseconds: number;
}

/** Source of timestamps; injected so tests are deterministic. */
export type Clock = () => Timestamp;

/** What produced the file; the first part of its name. */
export type OutputKind = "tts" | "vc" | "concat" | "mixed";

/** Request values that appear in a TTS filename. */
export interface TtsNameParams {
  temperature: number;
  /** The seed the client asked for (0 = random); the seed actually used is not in the name. */
  requestedSeed: number;
  exaggeration: number;
  speedFactor: number;
  trim: boolean;
  trimThresholdMs: number;
}

/**
 * Formats a float exactly like Python's `str(float)`: shortest round-trip digits, always a decimal point for
 * integral values (`1.0`), and scientific notation below 1e-4 or from 1e16 on (`1e-05`, `1e+16`).
 */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument yields the shortest round-trip digits, the digits Python prints.
  const [mantissa, exp] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${digits[0]}${frac}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fracPart = digits.slice(exponent + 1);
  return `${sign}${intPart}.${fracPart === "" ? "0" : fracPart}`;
}

/**
 * Formats an integer field (seed, milliseconds, counts) like Python's `str(int)`.
 * @throws RangeError for a non-integer or unsafe integer, which could not be printed exactly.
 */
export function formatPythonInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Expected a safe integer, got ${n}`);
  return String(n);
}

/** Name parts of a TTS output: `temp` always; `seed`, `exag`, `speed`, `trim` only when not default. */
export function ttsNameParts(p: TtsNameParams): string[] {
  const parts = [`temp${formatPythonFloat(p.temperature)}`];
  if (p.requestedSeed !== 0) parts.push(`seed${formatPythonInt(p.requestedSeed)}`);
  if (p.exaggeration !== 0.5) parts.push(`exag${formatPythonFloat(p.exaggeration)}`);
  if (p.speedFactor !== 1.0) parts.push(`speed${formatPythonFloat(p.speedFactor)}`);
  if (p.trim) parts.push(`trim${formatPythonInt(p.trimThresholdMs)}`);
  return parts;
}

/** Request values that appear in a VC filename. */
export interface VcNameParams {
  chunkSec: number;
  overlapSec: number;
  /** `target_voice_source` as sent (a name, a path or a URL). */
  targetVoiceSource: string;
  pitchShift: number;
}

/**
 * Name parts of a VC output (spec §4.1): `chunk` and `overlap` only when not default, then `voice` with the
 * target's stem (word characters and '-', at most 10). `pitch` (ours) only when shifted.
 */
export function vcNameParts(p: VcNameParams): string[] {
  const parts: string[] = [];
  if (p.chunkSec !== 60) parts.push(`chunk${formatPythonInt(p.chunkSec)}`);
  if (p.overlapSec !== 0.1) parts.push(`overlap${formatPythonFloat(p.overlapSec)}`);
  const withoutQuery = p.targetVoiceSource.replace(/[?#].*$/, "");
  const file =
    withoutQuery
      .split(/[\\/]/)
      .filter((part) => part !== "")
      .pop() ?? "";
  const dot = file.lastIndexOf(".");
  const stem = (dot > 0 ? file.slice(0, dot) : file).replace(/[^\w-]/g, "").slice(0, 10);
  if (stem) parts.push(`voice${stem}`);
  if (p.pitchShift !== 0) parts.push(`pitch${formatPythonFloat(p.pitchShift)}`);
  return parts;
}

/** What a concatenation did, as its filename tells it (both endpoints, `concat` and `mixed`). */
export interface ConcatNameParams {
  /** Audio items (server files and uploads); silences are not counted. */
  fileCount: number;
  /** Manual silences (`(500ms)` items or `silence` segments). */
  silenceCount: number;
  /** Natural pauses, when at least one was inserted. */
  pause: { baseMs: number; variationMs: number } | undefined;
  crossfadeMs: number;
  normalizeLevels: boolean;
  trim: boolean;
  trimThresholdMs: number;
}

/**
 * Name parts of a concatenation (spec §4.1): `{n}files`; `sil{n}` with manual silences; `pause{P}` or
 * `pause{P}v{V}` when natural pauses were inserted (the original tied this to "no manual silence", which is
 * when its pauses ran); `fade{ms}`; `leveled`; `trim{T}`. The original named mixed outputs `default`: they
 * get the same parts here.
 */
export function concatNameParts(p: ConcatNameParams): string[] {
  const parts = [`${formatPythonInt(p.fileCount)}files`];
  if (p.silenceCount > 0) parts.push(`sil${formatPythonInt(p.silenceCount)}`);
  if (p.pause && p.pause.baseMs > 0) {
    const variation = p.pause.variationMs > 0 ? `v${formatPythonInt(p.pause.variationMs)}` : "";
    parts.push(`pause${formatPythonInt(p.pause.baseMs)}${variation}`);
  }
  if (p.crossfadeMs > 0) parts.push(`fade${formatPythonInt(p.crossfadeMs)}`);
  if (p.normalizeLevels) parts.push("leveled");
  if (p.trim) parts.push(`trim${formatPythonInt(p.trimThresholdMs)}`);
  return parts;
}

/**
 * `YYYY-MM-DD_HHMMSS_uuuuuu` in the local time zone, like Python's `datetime.now()`.
 * @throws RangeError when `microseconds` is not an integer in 0..999999.
 */
export function formatTimestamp(ts: Timestamp): string {
  const { date, microseconds } = ts;
  if (!Number.isInteger(microseconds) || microseconds < 0 || microseconds > 999_999) {
    throw new RangeError(`microseconds must be an integer in 0..999999, got ${microseconds}`);
  }
  const two = (n: number): string => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
  return `${day}_${time}_${String(microseconds).padStart(6, "0")}`;
}

export interface OutputStemInput {
  kind: OutputKind;
  /** Parameter parts; none gives `default`. */
  parts: readonly string[];
  at: Timestamp;
}

/** Assembles `{kind}_{timestamp}_{parts or "default"}`; every format of one output shares this stem. */
export function outputStem(input: OutputStemInput): string {
  const params = input.parts.length > 0 ? input.parts.join("_") : "default";
  return `${input.kind}_${formatTimestamp(input.at)}_${params}`;
}

/**
 * The host clock. Milliseconds come from the wall clock; the last three microsecond digits come from the
 * high-resolution timer, since JavaScript has no microsecond wall clock.
 */
export const systemClock: Clock = () => {
  const ms = Date.now();
  const subMs = Number(process.hrtime.bigint() % 1000n);
  return { date: new Date(ms), microseconds: (ms % 1000) * 1000 + subMs };
};

/** Gives the file stem (name without extension) of outputs of each kind at the clock's current time. */
export interface OutputNamer {
  tts(params: TtsNameParams): string;
  vc(params: VcNameParams): string;
  /** `kind` says which endpoint: `concat` (a list of files) or `mixed` (server files, uploads, silences). */
  concat(kind: "concat" | "mixed", params: ConcatNameParams): string;
}

/**
 * Creates a namer whose timestamps strictly increase: when the clock repeats or steps back (two requests in
 * the same microsecond, an NTP adjustment) it advances one microsecond past the last name, so two outputs with
 * the same parameters can never get the same name and overwrite each other.
 */
export function createOutputNamer(clock: Clock = systemClock): OutputNamer {
  let lastMicros = -Infinity;
  const next = (): Timestamp => {
    const ts = clock();
    const seconds = Math.floor(ts.date.getTime() / 1000);
    const micros = Math.max(seconds * 1_000_000 + ts.microseconds, lastMicros + 1);
    lastMicros = micros;
    const wholeSeconds = Math.floor(micros / 1_000_000);
    return { date: new Date(wholeSeconds * 1000), microseconds: micros - wholeSeconds * 1_000_000 };
  };
  const stem = (kind: OutputKind, parts: string[]): string => outputStem({ kind, parts, at: next() });
  return {
    tts: (params) => stem("tts", ttsNameParts(params)),
    vc: (params) => stem("vc", vcNameParts(params)),
    concat: (kind, params) => stem(kind, concatNameParts(params)),
  };
}
