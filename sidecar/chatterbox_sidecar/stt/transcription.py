"""The work of one transcription, run on the STT worker thread. No gRPC here.

The model comes from the cache (loaded, or downloaded and loaded, on first use); its transcribe() settles
the language at once and then decodes segment by segment as its iterator is read, so every segment is
emitted as soon as it exists and a cancelled request stops before the next one is decoded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import soxr

from ..engines.base import Audio
from ..errors import Cancelled, NotFound
from ..synthesis import JobTiming
from .base import SAMPLE_RATE, End, Segment, SpeechModel, Start, Stats, TranscriptionOptions
from .catalog import Choice, ModelEntry
from .model_cache import ModelCache, estimate_mb
from .whisper_backend import DownloadFailed

Loader = Callable[[ModelEntry], SpeechModel]
Emit = Callable[[object], None]


@dataclass(frozen=True)
class TranscriptionPlan:
    """A validated request: the audio (16 kHz mono float32), the options and the model chosen for them."""

    samples: np.ndarray
    options: TranscriptionOptions
    choice: Choice

    @property
    def duration_seconds(self) -> float:
        return self.samples.size / SAMPLE_RATE


def whisper_input(audio: Audio) -> np.ndarray:
    """Decoded mono audio at Whisper's rate, as the float32 array faster-whisper takes (no PyAV needed)."""
    if audio.sample_rate == SAMPLE_RATE:
        return audio.samples.astype(np.float32, copy=False)
    return soxr.resample(audio.samples, audio.sample_rate, SAMPLE_RATE).astype(np.float32, copy=False)


def transcribe(
    models: ModelCache, load: Loader, plan: TranscriptionPlan, timing: JobTiming, emit: Emit, cancel: threading.Event
) -> End:
    """Emits one Start, then each Segment as it is decoded; returns the End (emitted by the caller)."""
    model, entry, load_seconds, warnings = _model_for(models, load, plan.choice)
    started = time.monotonic()
    detected, segments = model.transcribe(plan.samples, plan.options)
    emit(Start(entry.name, detected.language, detected.probability, plan.duration_seconds, model.device, warnings))
    texts = []
    for segment in _until_cancelled(segments, cancel):
        texts.append(segment.text)
        emit(segment)
    stats = Stats(timing.queue_wait_ms(), _ms(load_seconds), _ms(time.monotonic() - started))
    return End("".join(texts).strip(), stats)


def _model_for(models: ModelCache, load: Loader, choice: Choice) -> tuple[SpeechModel, ModelEntry, float, list[str]]:
    warnings = list(choice.warnings)
    try:
        model, seconds = _cached(models, load, choice.model)
        return model, choice.model, seconds, warnings
    except DownloadFailed as error:
        if choice.fallback is None:
            raise NotFound(f"{error}, and no installed model can stand in for it") from error
        warnings.append(f"{error}; used {choice.fallback.name}, the nearest installed model, instead")
        model, seconds = _cached(models, load, choice.fallback)
        return model, choice.fallback, seconds, warnings


def _cached(models: ModelCache, load: Loader, entry: ModelEntry) -> tuple[SpeechModel, float]:
    return models.get(entry.name, estimate_mb(entry.size_bytes), lambda: load(entry))


def _until_cancelled(segments: Iterable[Segment], cancel: threading.Event) -> Iterator[Segment]:
    # Reading the next segment is what decodes it: check before each read, not after.
    iterator = iter(segments)
    while not cancel.is_set():
        segment = next(iterator, None)
        if segment is None:
            return
        yield segment
    raise Cancelled("the caller cancelled the transcription")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
