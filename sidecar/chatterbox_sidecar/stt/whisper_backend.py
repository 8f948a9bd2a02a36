"""The only code that touches faster-whisper: availability, device and compute type, loading, downloading,
and its results turned into plain values. Everything else in stt/ also runs against fake models.

Compute types, first supported wins: int8 on CPU (float32 if the CPU lacks int8 kernels); float16 on CUDA,
then int8_float16, int8 and float32 for GPUs without fast float16.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import numpy as np

from ..engines import hub_probe
from ..errors import NotFound, NotLoaded
from .base import Detected, Segment, TranscriptionOptions, Word
from .catalog import ModelEntry

log = logging.getLogger("chatterbox_sidecar.stt")

DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = {"cpu": ("int8", "float32"), "cuda": ("float16", "int8_float16", "int8", "float32")}


class DownloadFailed(NotFound):
    """A known model could not be fetched from the hub (offline, hub unreachable, download error)."""


def unavailable_reason() -> str | None:
    """None when faster-whisper imports; otherwise what a caller should be told."""
    try:
        import faster_whisper  # noqa: F401 - imported to find out whether it can be
    except ImportError as error:
        return (
            f"speech recognition is not installed: the sidecar cannot import faster-whisper ({error}); "
            "install it with sidecar/requirements.txt"
        )
    return None


def engine_version() -> str:
    import faster_whisper

    return f"faster-whisper {faster_whisper.__version__}"


def languages() -> frozenset[str]:
    """The language codes faster-whisper knows. Its tokenizer's table is the only list it has that does not
    need a loaded model (WhisperModel.supported_languages returns the same one)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return frozenset(_LANGUAGE_CODES)


def load_model(entry: ModelEntry, device_flag: str) -> WhisperSpeechModel:
    """Loads an installed model, or downloads a known one first (DownloadFailed when that fails)."""
    from faster_whisper import WhisperModel

    path = entry.path or download(entry.name)
    device = choose_device(device_flag)
    compute_type = choose_compute_type(device)
    started = time.monotonic()
    try:
        model = WhisperModel(path, device=device, compute_type=compute_type)
    except (RuntimeError, ValueError, OSError) as error:
        log.error("speech-recognition model failed to load", exc_info=error, extra={"model": entry.name})
        # The exception's text names files of this machine: only its type goes to the caller.
        raise NotLoaded(
            f"speech-recognition model {entry.name} failed to load ({type(error).__name__}); see the sidecar log"
        ) from error
    log.info(
        "speech-recognition model loaded",
        extra={
            "model": entry.name,
            "device": device,
            "compute_type": compute_type,
            "ms": int((time.monotonic() - started) * 1000),
        },
    )
    return WhisperSpeechModel(model, device)


def choose_device(requested: str) -> str:
    """ "auto" is cuda when CTranslate2 sees a CUDA device, else cpu; an explicit cuda must exist."""
    import ctranslate2

    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    if requested == "cuda" and not has_cuda:
        raise NotLoaded("the sidecar was started with --stt-device cuda, but CTranslate2 sees no CUDA device")
    return requested


def choose_compute_type(device: str) -> str:
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    return next((kind for kind in COMPUTE_TYPES[device] if kind in supported), "float32")


def download(name: str) -> str:
    """The folder of known model `name` in huggingface_hub's cache, fetched if it is not there yet."""
    from faster_whisper.utils import download_model

    # Unreachable hub: only the cache can answer, at once, instead of after the hub client's retries.
    unreachable = hub_probe.unreachable_reason()
    try:
        return download_model(name, local_files_only=unreachable is not None)
    except Exception as error:
        log.warning("speech-recognition model download failed", exc_info=error, extra={"model": name})
        why = f"the hub is unreachable: {unreachable}" if unreachable else type(error).__name__
        raise DownloadFailed(f"model {name} is not installed and could not be downloaded ({why})") from error


class WhisperSpeechModel:
    """A faster-whisper WhisperModel behind the SpeechModel interface."""

    def __init__(self, model: object, device: str) -> None:
        self._model = model
        self.device = device

    def transcribe(self, samples: np.ndarray, options: TranscriptionOptions) -> tuple[Detected, Iterator[Segment]]:
        arguments = {
            "language": options.language or None,
            "task": options.task,
            "beam_size": options.beam_size,
            "initial_prompt": options.prompt or None,
            "word_timestamps": options.word_timestamps,
            # Silero VAD (shipped inside faster-whisper) drops the pauses before decoding: on long silences,
            # such as the tail of generated speech, Whisper otherwise invents sentences. Times stay those of
            # the original audio.
            "vad_filter": True,
        }
        if options.temperature is not None:  # otherwise faster-whisper's own fallback schedule applies
            arguments["temperature"] = options.temperature
        segments, info = self._model.transcribe(samples, **arguments)
        detected = Detected(info.language, float(info.language_probability))
        return detected, (_segment(index, segment) for index, segment in enumerate(segments))


def _segment(index: int, segment: object) -> Segment:
    # faster-whisper numbers segments from 1 and may give numpy floats: plain 0-based values here.
    return Segment(
        id=index,
        seek=int(segment.seek),
        start=float(segment.start),
        end=float(segment.end),
        text=segment.text,
        avg_logprob=float(segment.avg_logprob),
        no_speech_prob=float(segment.no_speech_prob),
        compression_ratio=float(segment.compression_ratio),
        temperature=float(segment.temperature or 0.0),
        tokens=[int(token) for token in segment.tokens],
        words=[Word(float(w.start), float(w.end), w.word, float(w.probability)) for w in segment.words or ()],
    )
