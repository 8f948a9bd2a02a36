"""The plain values speech recognition exchanges, and the small interface of a loaded model.

Mirrors the TranscriptionStart / TranscriptSegment / TranscriptionEnd messages without knowing them: the
servicer's mapping translates. Times are in seconds of the input audio.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16000  # what Whisper's feature extractor expects
TRANSCRIBE, TRANSLATE = "transcribe", "translate"


@dataclass(frozen=True)
class TranscriptionOptions:
    """A validated request, in Whisper's terms."""

    model: str = ""  # as asked; "" = the largest installed
    language: str = ""  # "" = detect
    task: str = TRANSCRIBE
    word_timestamps: bool = False
    prompt: str = ""
    temperature: float | None = None  # None = Whisper's fallback schedule
    beam_size: int = 5


@dataclass(frozen=True)
class Detected:
    language: str
    probability: float  # 1 when the language was given


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class Segment:
    id: int  # 0-based, in order
    seek: int
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    tokens: list[int]
    words: list[Word] = field(default_factory=list)


@dataclass(frozen=True)
class Start:
    """Known once the model is loaded and the language is settled, before the first segment."""

    model: str
    language: str
    language_probability: float
    duration_seconds: float
    device: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stats:
    queue_wait_ms: int
    load_ms: int
    processing_ms: int


@dataclass(frozen=True)
class End:
    text: str  # the segments' texts joined and trimmed
    stats: Stats


class SpeechModel(Protocol):
    """A loaded recognition model. Only the STT worker thread calls it, one request at a time."""

    device: str  # "cuda" or "cpu"

    def transcribe(self, samples: np.ndarray, options: TranscriptionOptions) -> tuple[Detected, Iterator[Segment]]:
        """Settles the language (given or detected) at once; segments are decoded as the iterator is read."""
        ...
