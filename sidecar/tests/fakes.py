"""Test doubles: an in-memory TTS engine and speech-recognition models, with hooks to pause, fail and count
calls, and the model folders of a Whisper models directory."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chatterbox_sidecar.engines.base import Audio, Conversion, EngineInfo, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.engine_set import EngineSet
from chatterbox_sidecar.stt.base import Detected, Segment, TranscriptionOptions, Word
from chatterbox_sidecar.stt.catalog import ModelEntry
from chatterbox_sidecar.stt.whisper_backend import DownloadFailed

FAKE_RATE = 24000
SAMPLES_PER_CHAR = 100


class FakeEngine:
    """Speaks a deterministic ramp of `samples_per_char` (default SAMPLES_PER_CHAR) samples per character,
    calling itself `name` (an engine name, "espeak" by default).

    `gate`: when set to an Event, each segment waits for it (the test releases it); `entered` is set when
    a segment starts. `fail_at`: index of the segment that raises RuntimeError.
    """

    def __init__(
        self,
        voice_conversion: bool = True,
        languages: tuple[str, ...] = ("en", "fr"),
        samples_per_char: int = SAMPLES_PER_CHAR,
        name: str = "espeak",
        sample_rate: int = FAKE_RATE,
    ) -> None:
        self.info = EngineInfo(
            engine=name,
            variant=None,
            device="cpu",
            sample_rate=sample_rate,
            languages=list(languages),
            voice_conversion=voice_conversion,
            watermarked=False,
            engine_version="fake 1.0",
            voice_method="fake: reverses the audio",
        )
        self.calls: list[SegmentRequest] = []
        self.converted: list[Audio] = []
        self.pitch_shifts: list[float] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.fail_at: int | None = None
        self.closed = False
        self.samples_per_char = samples_per_char

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        return ["min_p"] if params.min_p is not None else []

    def voice_method(self, voice: Audio | None) -> str:
        return "" if voice is None else "fake: ignores the reference"

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        index = len(self.calls)
        self.calls.append(request)
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10), "test never released the gate"
        if self.fail_at == index:
            raise RuntimeError("secret engine detail")
        n = len(request.text) * self.samples_per_char
        return (np.arange(n, dtype=np.float32) % 200) / 400.0 - 0.25

    def convert(self, source: Audio, target: Audio | None, pitch_shift_semitones: float = 0.0) -> Conversion:
        self.converted.append(source)
        self.pitch_shifts.append(pitch_shift_semitones)
        method = "" if target is None else "fake: reverses the audio"
        return Conversion(source.samples[::-1].copy(), method, ["fake conversion"])

    def close(self) -> None:
        self.closed = True


def engine_set(default: object, *beside: object, unavailable: Sequence[tuple[str, str]] = ()) -> EngineSet:
    """An EngineSet of `default` and the engines `beside` it, listing `unavailable` (name, reason) pairs."""
    engines = EngineSet(default)
    for engine in beside:
        engines.add(engine)
    engines.unavailable.extend(unavailable)
    return engines


class FakeSpeechModel:
    """A speech-recognition model that "hears" `texts`, one segment per text, 1 s each.

    `hold_from`: reading segment number `hold_from` or later waits for `release` (the test sets it);
    `holding` is set when a read is waiting. `decoded` counts the segments read, per transcribe() call.
    """

    def __init__(self, name: str, texts: tuple[str, ...] = ("hello there", "general kenobi")) -> None:
        self.name = name
        self.texts = texts
        self.device = "cpu"
        self.hold_from: int | None = None
        self.release = threading.Event()
        self.holding = threading.Event()
        self.decoded: list[int] = []
        self.options: list[TranscriptionOptions] = []

    def transcribe(self, samples: np.ndarray, options: TranscriptionOptions):
        self.options.append(options)
        self.decoded.append(0)
        call = len(self.decoded) - 1
        detected = Detected(options.language or "en", 1.0 if options.language else 0.75)
        return detected, self._segments(call, options)

    def _segments(self, call: int, options: TranscriptionOptions):
        for index, text in enumerate(self.texts):
            if self.hold_from is not None and index >= self.hold_from:
                self.holding.set()
                assert self.release.wait(10), "test never released the segment"
            self.decoded[call] += 1
            words = [Word(index + 0.1, index + 0.9, f" {text}", 0.9)] if options.word_timestamps else []
            yield Segment(index, index * 100, index, index + 1.0, f" {text}", -0.2, 0.01, 1.1, 0.0, [1, 2], words)


class FakeSpeechLoader:
    """Loads a FakeSpeechModel per model name (kept in `models`); `loads` lists what was loaded.

    Names in `undownloadable` fail like an offline hub when they would be downloaded.
    """

    def __init__(self, undownloadable: tuple[str, ...] = ()) -> None:
        self.models: dict[str, FakeSpeechModel] = {}
        self.loads: list[ModelEntry] = []
        self.undownloadable = undownloadable

    def __call__(self, entry: ModelEntry, device: str) -> FakeSpeechModel:
        if entry.path is None and entry.name in self.undownloadable:
            raise DownloadFailed(f"model {entry.name} is not installed and could not be downloaded (offline)")
        self.loads.append(entry)
        return self.models.setdefault(entry.name, FakeSpeechModel(entry.name))


def make_whisper_folder(root: Path, name: str, size_bytes: int = 1000, vocabulary: int = 51865) -> Path:
    """A model folder with the files of a CTranslate2 Whisper conversion; model.bin is a sparse file of
    `size_bytes`, so a large model costs no disk."""
    folder = root / name
    folder.mkdir(parents=True)
    with open(folder / "model.bin", "wb") as weights:
        weights.truncate(size_bytes)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    (folder / "vocabulary.txt").write_text("t\n" * vocabulary, encoding="utf-8")
    return folder
