"""The work of one synthesis or conversion, run on the inference worker thread. No gRPC here.

Segments are spoken in order; each one's audio is emitted as soon as it exists, in chunks, so the first
audio leaves before the last segment is generated. A speed other than 1 is time-stretched after synthesis,
except by engines that speak at a speed themselves (EngineInfo.native_speed, e.g. Piper's length scale):
they get the speed in the SegmentRequest, and only a part outside their native range is stretched.
Cancellation is checked before every segment: the official generate() cannot be interrupted, so a
cancelled request stops within one segment's time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .engines.base import Audio, Engine, EngineInfo, GenerationParams, SegmentRequest
from .errors import Cancelled
from .response_size import ResponseBudget
from .seeding import seed_everything
from .stretch import AUTO, time_stretch


@dataclass(frozen=True)
class Segment:
    text: str
    seed: int | None = None


@dataclass(frozen=True)
class SynthesisPlan:
    """A validated synthesis request in plain values."""

    segments: list[Segment]
    language: str
    voice: Audio | None
    params: GenerationParams
    speed: float = 1.0
    stretch_library: str = "auto"
    chunk_samples: int = 0  # 0 = one chunk per segment
    budget: ResponseBudget | None = None  # set for unary responses, which must fit in one message
    engine: str | None = None  # the engine that speaks, as EngineSet.select takes it; None = the default


@dataclass(frozen=True)
class AudioPiece:
    samples: np.ndarray
    segment_index: int
    segment_final: bool
    start_sample: int  # offset of the first sample in the whole utterance


@dataclass
class Stats:
    queue_wait_ms: int = 0
    time_to_first_audio_ms: int = 0
    generation_ms: int = 0
    audio_samples: int = 0
    watermarked: bool = False
    stretch_library: str | None = None
    stretch_ms: float = 0.0  # wall time spent time-stretching, over all segments
    ignored_parameters: list[str] = field(default_factory=list)
    voice_method: str = ""  # how the reference or target voice shaped the output; "" without one
    warnings: list[str] = field(default_factory=list)

    def warn(self, messages: list[str]) -> None:
        """Adds warnings once each, in order."""
        self.warnings.extend(m for m in messages if m not in self.warnings)


class SynthesisCancelled(Cancelled):
    """A synthesis stopped by cancellation; says how much of the work was done, for the log."""

    def __init__(self, message: str, segments_spoken: int) -> None:
        super().__init__(message)
        self.segments_spoken = segments_spoken  # segments the engine finished, delivered or not


Emit = Callable[[object], None]


def synthesize(
    engine: Engine,
    plan: SynthesisPlan,
    timing: JobTiming,
    emit: Emit,
    cancel: threading.Event,
    between_segments: Callable[[], None] = lambda: None,
) -> Stats:
    """Speaks every segment, emitting AudioPiece objects; returns the stats (emitted by the caller).

    `between_segments` runs before every segment but the first (the worker lets more urgent work go first).
    Raises SynthesisCancelled once `cancel` is set or `emit` raises Cancelled.
    """
    stats = Stats(
        queue_wait_ms=timing.queue_wait_ms(),
        watermarked=engine.info.watermarked,
        ignored_parameters=engine.ignored_parameters(plan.params) + _ignored_seed(engine.info, plan.segments),
        voice_method=engine.voice_method(plan.voice),
    )
    offset = spoken = 0
    try:
        for index, segment in enumerate(plan.segments):
            if index > 0:
                between_segments()
            if cancel.is_set():
                raise Cancelled("the request was cancelled")
            samples = _speak_segment(engine, plan, segment, stats)
            spoken += 1
            if plan.budget is not None:
                plan.budget.check_synthesized(offset + samples.size, index + 1, len(plan.segments))
            if index == 0:
                stats.time_to_first_audio_ms = timing.elapsed_ms()
            for piece in split_segment(samples, index, offset, plan.chunk_samples):
                emit(piece)
            offset += samples.size
    except Cancelled as cancelled:  # the check above, or `emit` once the caller has gone away
        raise SynthesisCancelled(str(cancelled), spoken) from cancelled
    stats.audio_samples = offset
    stats.generation_ms = timing.elapsed_ms()
    return stats


def _ignored_seed(info: EngineInfo, segments: list[Segment]) -> list[str]:
    """["seed"] when a segment carries a seed and the engine gives the same audio whatever the seed."""
    return ["seed"] if not info.uses_seed and any(s.seed is not None for s in segments) else []


def _speak_segment(engine: Engine, plan: SynthesisPlan, segment: Segment, stats: Stats) -> np.ndarray:
    if segment.seed is not None:
        seed_everything(segment.seed)
    native, stretched = split_speed(engine.info, plan.speed)
    request = SegmentRequest(segment.text, plan.language, plan.voice, plan.params, segment.seed, native)
    samples = engine.synthesize(request)
    if stretched != 1.0:
        started = time.perf_counter()
        result = time_stretch(samples, engine.info.sample_rate, stretched, plan.stretch_library)
        stats.stretch_ms += (time.perf_counter() - started) * 1000
        samples = result.samples
        stats.stretch_library = result.library
        stats.warn(result.warnings)
    elif native != 1.0 and plan.stretch_library not in (AUTO, ""):
        # stats.stretch_library stays None: no library touched the audio.
        stats.warn(
            [
                f"stretch_library {plan.stretch_library} was not used: the {engine.info.engine} engine spoke at "
                f"speed {native:g} itself, with no time stretch"
            ]
        )
    return samples


def split_speed(info: EngineInfo, speed: float) -> tuple[float, float]:
    """(speed the engine speaks at itself, speed left to the time stretch); their product is `speed`.

    Engines without native speed get (1, speed). A native engine gets the speed clamped into its native
    range, and the stretch does the rest: Piper's length scale cannot make speech much faster than about
    1.7x, because every phoneme keeps at least one frame.
    """
    if not info.native_speed or speed == 1.0:
        return 1.0, speed
    low, high = info.native_speed_range
    native = min(max(speed, low), high)
    return native, speed / native


def split_segment(samples: np.ndarray, index: int, offset: int, chunk_samples: int) -> list[AudioPiece]:
    """Splits one segment's audio into pieces of at most `chunk_samples` (0 = a single piece).

    A segment that produced no audio still yields one empty final piece, so every segment is closed.
    """
    size = chunk_samples if chunk_samples > 0 else max(samples.size, 1)
    starts = list(range(0, samples.size, size)) or [0]
    return [
        AudioPiece(samples[start : start + size], index, position == len(starts) - 1, offset + start)
        for position, start in enumerate(starts)
    ]


@dataclass(frozen=True)
class ConversionPlan:
    """A validated voice conversion request in plain values."""

    source: Audio
    target: Audio | None
    pitch_shift_semitones: float = 0.0


def convert(engine: Engine, plan: ConversionPlan, timing: JobTiming) -> tuple[np.ndarray, Stats]:
    """Voice conversion of a whole clip (the official VC is not incremental)."""
    stats = Stats(queue_wait_ms=timing.queue_wait_ms(), watermarked=engine.info.watermarked)
    conversion = engine.convert(plan.source, plan.target, plan.pitch_shift_semitones)
    stats.voice_method = conversion.voice_method
    stats.warn(conversion.warnings)
    stats.time_to_first_audio_ms = stats.generation_ms = timing.elapsed_ms()
    stats.audio_samples = conversion.samples.size
    return conversion.samples, stats


class JobTiming:
    """Milliseconds since the job was queued and since it started."""

    def __init__(self, enqueued_at: float, started_at: float | None) -> None:
        self._enqueued_at = enqueued_at
        self._started_at = started_at if started_at is not None else time.monotonic()

    def queue_wait_ms(self) -> int:
        return int((self._started_at - self._enqueued_at) * 1000)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._started_at) * 1000)
