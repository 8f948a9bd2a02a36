"""Speech recognition as the servicer sees it: readiness, the model choice, the STT worker, the listing.

Transcriptions run on their own SerialWorker with their own bounded queue (--stt-queue-capacity; the wait in
it is bounded by --max-queue-wait-seconds, as for syntheses), so a transcription never waits behind a
synthesis on the inference worker, nor the reverse. Loading needs no LoadModel call: models load on first
use, within the memory budget (model_cache.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import NotLoaded
from ..synthesis import JobTiming
from ..worker import Job, SerialWorker
from . import catalog, whisper_backend
from .base import TRANSLATE, SpeechModel, TranscriptionOptions
from .catalog import Choice, ModelEntry, Need
from .model_cache import ModelCache, estimate_mb
from .transcription import Emit, TranscriptionPlan, transcribe

log = logging.getLogger("chatterbox_sidecar.stt")


@dataclass(frozen=True)
class SttSettings:
    """The sidecar's STT flags (see sidecar/README.md), and the loader tests replace with fakes."""

    whisper_dir: str | None
    device: str
    memory_mb: int
    queue_capacity: int
    max_queue_wait_seconds: float  # 0 = a transcription waits until its deadline
    allow_download: bool
    load_model: Callable[[ModelEntry, str], SpeechModel] = whisper_backend.load_model


@dataclass(frozen=True)
class ListedModel:
    entry: ModelEntry
    loaded: bool

    @property
    def installed(self) -> bool:
        return self.entry.path is not None


@dataclass(frozen=True)
class ModelListing:
    available: bool
    engine_version: str
    models: list[ListedModel]
    default_model: str  # "" when none is installed
    memory_budget_mb: int


class SpeechRecognizer:
    """Owns the STT worker and the loaded models."""

    def __init__(self, settings: SttSettings) -> None:
        self.settings = settings
        self.models: ModelCache[SpeechModel] = ModelCache(settings.memory_mb)
        self.worker = SerialWorker(
            settings.queue_capacity, "speech recognition", max_queue_wait=settings.max_queue_wait_seconds
        )

    def check_ready(self) -> None:
        """Raises Draining (UNAVAILABLE) or, without faster-whisper, NotLoaded (FAILED_PRECONDITION)."""
        self.worker.check_accepting()
        reason = whisper_backend.unavailable_reason()
        if reason is not None:
            raise NotLoaded(reason)

    def languages(self) -> frozenset[str]:
        return whisper_backend.languages()

    def choose(self, options: TranscriptionOptions) -> Choice:
        """The model for `options`, refused before any work when it could not fit in the memory budget."""
        folder = self.settings.whisper_dir
        installed = catalog.scan(folder)
        choice = catalog.resolve(options.model, _need(options), installed, self.settings.allow_download, folder)
        need_mb = estimate_mb(choice.model.size_bytes)
        if choice.fallback is not None and need_mb > self.models.budget_mb:
            # A download that could never be loaded is not worth making: the installed stand-in speaks, as it
            # does when the download fails.
            choice = Choice(choice.fallback, warnings=(_over_budget(choice, need_mb, self.models.budget_mb),))
        self.models.check_fits(choice.model.name, estimate_mb(choice.model.size_bytes))
        return choice

    def run(self, plan: TranscriptionPlan, job: Job, emit: Emit) -> None:
        """The job's work on the STT worker: emits Start, Segments and End."""

        def load(entry: ModelEntry) -> SpeechModel:
            return self.settings.load_model(entry, self.settings.device)

        timing = JobTiming(job.enqueued_at, job.started_at)
        end = transcribe(self.models, load, plan, timing, emit, job.cancel_event)
        log.info(
            "transcription done",
            extra={
                **job.log_ids(),
                "audio_seconds": round(plan.duration_seconds, 2),
                "queue_wait_ms": end.stats.queue_wait_ms,
                "load_ms": end.stats.load_ms,
                "ms": end.stats.processing_ms,
            },
        )
        emit(end)

    def list_models(self) -> ModelListing:
        """The installed models and, when downloads are allowed, the known names that are not installed."""
        available = whisper_backend.unavailable_reason() is None
        installed = catalog.scan(self.settings.whisper_dir)
        entries = list(installed.values())
        if self.settings.allow_download:
            entries += [catalog.downloadable(name) for name in catalog.KNOWN_MODELS if name not in installed]
        loaded = set(self.models.loaded())
        default = catalog.largest(installed.values())
        return ModelListing(
            available=available,
            engine_version=whisper_backend.engine_version() if available else "",
            models=[ListedModel(entry, entry.name in loaded) for entry in entries],
            default_model=default.name if default else "",
            memory_budget_mb=self.models.budget_mb,
        )


def _over_budget(choice: Choice, need_mb: int, budget_mb: int) -> str:
    return (
        f"model {choice.model.name} is not installed and would need about {need_mb} MB, more than the STT memory "
        f"budget of {budget_mb} MB (--stt-memory-mb); used {choice.fallback.name}, the nearest installed model, "
        "instead"
    )


def _need(options: TranscriptionOptions) -> Need | None:
    if options.task == TRANSLATE:
        return Need("translate", "task")
    if options.language and options.language != "en":
        return Need(f"transcribe language {options.language!r}", "language")
    return None
