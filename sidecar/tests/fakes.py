"""Test doubles: an in-memory engine with hooks to pause, fail and count calls."""

from __future__ import annotations

import threading

import numpy as np

from chatterbox_sidecar.engines.base import Audio, Conversion, EngineInfo, GenerationParams, SegmentRequest

FAKE_RATE = 24000
SAMPLES_PER_CHAR = 100


class FakeEngine:
    """Speaks a deterministic ramp of `samples_per_char` (default SAMPLES_PER_CHAR) samples per character.

    `gate`: when set to an Event, each segment waits for it (the test releases it); `entered` is set when
    a segment starts. `fail_at`: index of the segment that raises RuntimeError.
    """

    def __init__(
        self,
        voice_conversion: bool = True,
        languages: tuple[str, ...] = ("en", "fr"),
        samples_per_char: int = SAMPLES_PER_CHAR,
    ) -> None:
        self.info = EngineInfo(
            engine="espeak",
            variant=None,
            device="cpu",
            sample_rate=FAKE_RATE,
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
