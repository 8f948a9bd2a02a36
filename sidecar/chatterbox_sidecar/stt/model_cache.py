"""Loaded speech-recognition models, kept within the STT memory budget (--stt-memory-mb).

A model's memory is estimated from the size of its files as MEMORY_FACTOR x files + WORKING_MB, a line
fitted on the peak resident memory measured here (CTranslate2 4.8, int8 on CPU, 35 s of speech, beam 5):
tiny.en (75 MB of files) peaked at 256 MB, base (145 MB) at 372 MB. It also matches faster-whisper's
published figure for small (about 1 GB, int8 on CPU) and errs high for large-v2 (4.5 GB in float16 on a
GPU, 5.4 GB estimated): erring high keeps the budget a promise rather than a hope.

Before a model is loaded, the least recently used ones are evicted until it fits. A model that cannot
fit even alone is refused before any work with RESOURCE_EXHAUSTED, naming the budget. Only the STT
worker thread loads and evicts; the lock is for the RPC threads that list what is loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from ..errors import OutOfMemory
from .catalog import MB

log = logging.getLogger("chatterbox_sidecar.stt")

MEMORY_FACTOR = 1.7
WORKING_MB = 130  # mel features, encoder output and beam search of one 30 s window, tokenizer

T = TypeVar("T")


def estimate_mb(size_bytes: int) -> int:
    """Resident memory a model with `size_bytes` of files takes while it transcribes, in MiB."""
    return round(size_bytes / MB * MEMORY_FACTOR + WORKING_MB)


class ModelCache(Generic[T]):
    """Models by name, least recently used first, whose estimates add up to at most the budget."""

    def __init__(self, budget_mb: int) -> None:
        self.budget_mb = budget_mb
        self._models: OrderedDict[str, tuple[T, int]] = OrderedDict()
        self._lock = threading.Lock()

    def check_fits(self, name: str, need_mb: int) -> None:
        """Raises OutOfMemory when a model needing `need_mb` could not fit even with nothing else loaded."""
        if need_mb > self.budget_mb:
            raise OutOfMemory(
                f"speech-recognition model {name} needs about {need_mb} MB, more than the STT memory budget of "
                f"{self.budget_mb} MB (--stt-memory-mb); ask for a smaller model or raise the budget",
                limit=self.budget_mb,
            )

    def get(self, name: str, need_mb: int, load: Callable[[], T]) -> tuple[T, float]:
        """The model named `name`, loaded by `load()` if needed; also the seconds spent loading (0 if cached)."""
        with self._lock:
            if name in self._models:
                self._models.move_to_end(name)
                return self._models[name][0], 0.0
        self.check_fits(name, need_mb)
        self._evict_for(need_mb)
        started = time.monotonic()
        model = load()
        with self._lock:
            self._models[name] = (model, need_mb)
        return model, time.monotonic() - started

    def loaded(self) -> list[str]:
        """Names of the loaded models, least recently used first."""
        with self._lock:
            return list(self._models)

    def _evict_for(self, need_mb: int) -> None:
        with self._lock:
            while self._models and sum(need for _, need in self._models.values()) + need_mb > self.budget_mb:
                name, (_, freed) = self._models.popitem(last=False)
                # Dropping the last reference frees the CTranslate2 model and its memory.
                log.info("speech-recognition model evicted", extra={"model": name, "freed_mb": freed})
