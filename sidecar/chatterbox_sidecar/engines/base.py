"""The small interface every inference engine implements, and the plain data it exchanges.

Engines know nothing of gRPC or protobuf: the servicer translates messages into these types. All audio
is mono float32 numpy at the sample rate stated next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Protocol

import numpy as np

# Chatterbox makes at most ~40 s per generate call and its demo caps text at 300 characters; espeak uses
# the same limit so the Node-side segmentation is identical whichever engine runs.
MAX_SEGMENT_CHARS = 300


@dataclass(frozen=True)
class Audio:
    """Decoded mono audio plus the SHA-256 of the bytes it came from (the voice-cache key)."""

    samples: np.ndarray
    sample_rate: int
    sha256: str

    @property
    def duration_seconds(self) -> float:
        return self.samples.size / float(self.sample_rate)


@dataclass(frozen=True)
class GenerationParams:
    """Sampling parameters; None means "not set by the caller", so the model's own default applies."""

    exaggeration: float | None = None
    cfg_weight: float | None = None
    temperature: float | None = None
    repetition_penalty: float | None = None
    min_p: float | None = None
    top_p: float | None = None
    top_k: int | None = None

    def set_fields(self) -> dict[str, float | int]:
        """Only the parameters the caller set, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class SegmentRequest:
    """One call into the engine: a piece of text and how to speak it."""

    text: str
    language: str
    voice: Audio | None
    params: GenerationParams
    seed: int | None
    # Tempo factor for engines with EngineInfo.native_speed (they speak at it themselves); 1.0 for the others,
    # whose audio synthesis.py time-stretches afterwards.
    speed: float = 1.0


@dataclass
class EngineInfo:
    """What a loaded engine can do; mirrors the protobuf ModelInfo."""

    engine: str  # "chatterbox", "piper" or "espeak"
    variant: str | None  # "english", "multilingual", "turbo"; None for piper and espeak
    device: str
    sample_rate: int
    languages: list[str]
    voice_conversion: bool
    watermarked: bool
    engine_version: str
    max_segment_chars: int = MAX_SEGMENT_CHARS
    warnings: list[str] = field(default_factory=list)
    voice_method: str = ""  # how this engine uses a reference or target voice, in words for people
    # The loaded voice model's name and licence when the engine has one (piper); "" otherwise.
    voice_name: str = ""
    voice_licence: str = ""
    # True when the engine honours SegmentRequest.speed itself for speeds inside native_speed_range; synthesis.py
    # time-stretches only what lies outside it (see synthesis.split_speed).
    native_speed: bool = False
    native_speed_range: tuple[float, float] = (1.0, 1.0)
    # False when every seed gives the same audio (piper: its noise is off); synthesis.py then names a segment
    # seed that was set in ignored_parameters, so a client (and verified TTS) knows retrying with another is futile.
    uses_seed: bool = True
    # MiB the engine took when it loaded, as engines/memory.py measures it; set by the loader.
    memory_mb: int = 0


@dataclass(frozen=True)
class Conversion:
    """The result of a voice conversion: mono float32 at the engine's rate, and what was done."""

    samples: np.ndarray
    voice_method: str  # how the target shaped the output; "" when the request named no target
    warnings: list[str] = field(default_factory=list)


class Engine(Protocol):
    """An inference engine. Calls are serialized by the inference worker, never concurrent."""

    info: EngineInfo

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        """Names of the set parameters this engine does not use (reported, never silently dropped)."""
        ...

    def voice_method(self, voice: Audio | None) -> str:
        """How `voice`, a synthesis request's reference, shapes the speech, in words; "" for None."""
        ...

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        """Speaks one segment; returns mono float32 at info.sample_rate."""
        ...

    def convert(self, source: Audio, target: Audio | None, pitch_shift_semitones: float = 0.0) -> Conversion:
        """Voice conversion toward `target` (None: the built-in voice), its pitch moved by the shift."""
        ...

    def close(self) -> None:
        """Releases the engine's resources (device memory)."""
        ...
