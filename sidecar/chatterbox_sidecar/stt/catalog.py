"""The Whisper models a request may name, the ones installed in --whisper-dir, and the choice for a request.

A model is installed when `<whisper-dir>/<name>/` holds a CTranslate2 conversion (REQUIRED_FILES); the
folder is scanned on every request, so a model copied in while the sidecar runs is seen at once. A name
that is neither installed nor downloadable falls back to the nearest installed model with a warning, never
silently. "Nearest" compares sizes on a log scale (asked for `small`, `medium` is nearer than `tiny`);
ties go to a model of the same kind (English-only or multilingual), then to the smaller one. A request
that needs a multilingual model (translation, or a language other than English) considers only those.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import InvalidInput, NotFound

# What CTranslate2 and faster-whisper read; without tokenizer.json faster-whisper would fetch one from the hub.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")  # one of them
# Whisper tells its models apart the same way: multilingual vocabularies have 51865 tokens (51866 for
# large-v3), the English-only ones 51864.
MULTILINGUAL_VOCABULARY = 51865
MB = 1024 * 1024


@dataclass(frozen=True)
class KnownModel:
    # Approximate size of the published float16 CTranslate2 files: it orders the models and estimates the
    # memory of one that is still to be downloaded.
    size_mb: int
    multilingual: bool


KNOWN_MODELS: dict[str, KnownModel] = {
    "tiny.en": KnownModel(75, False),
    "tiny": KnownModel(75, True),
    "base.en": KnownModel(145, False),
    "base": KnownModel(145, True),
    "small.en": KnownModel(484, False),
    "small": KnownModel(484, True),
    "medium.en": KnownModel(1530, False),
    "medium": KnownModel(1530, True),
    "large-v1": KnownModel(3090, True),
    "large-v2": KnownModel(3090, True),
    "large-v3": KnownModel(3090, True),
    "turbo": KnownModel(1620, True),
}
ALIASES = {"large": "large-v3"}


@dataclass(frozen=True)
class ModelEntry:
    """An installed model, or (path None) a known one that would be downloaded."""

    name: str
    path: str | None
    size_bytes: int  # of the installed files; for a download, the approximate size of the files to fetch
    multilingual: bool

    @property
    def size_mb(self) -> float:
        # A known name is ordered by what it is, whatever the precision its files were converted to.
        known = KNOWN_MODELS.get(self.name)
        return float(known.size_mb) if known else max(self.size_bytes, 1) / MB  # > 0: sizes compare as logs


@dataclass(frozen=True)
class Need:
    """Why a request needs a multilingual model, and the request field that makes it need one."""

    why: str  # completes "<model> is English-only and cannot ..."
    field: str


@dataclass(frozen=True)
class Choice:
    model: ModelEntry
    warnings: tuple[str, ...] = ()
    fallback: ModelEntry | None = None  # for a download: the installed model to use if it fails


def normalize(name: str) -> str:
    """The canonical spelling of a model name ("Large" -> "large-v3")."""
    cleaned = name.strip().lower()
    return ALIASES.get(cleaned, cleaned)


def downloadable(name: str) -> ModelEntry:
    known = KNOWN_MODELS[name]
    return ModelEntry(name, None, known.size_mb * MB, known.multilingual)


def scan(folder: str | None) -> dict[str, ModelEntry]:
    """The complete model folders in `folder` by name; none when it is unset or missing."""
    if not folder or not os.path.isdir(folder):
        return {}
    installed = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir() and _complete(entry.path):
            installed[entry.name] = _installed(entry.name, entry.path)
    return installed


def largest(models: Iterable[ModelEntry]) -> ModelEntry | None:
    """What "" means: the largest model, a multilingual one when sizes tie."""
    return max(models, key=lambda m: (m.size_mb, m.multilingual, m.name), default=None)


def resolve(
    asked: str, need: Need | None, installed: Mapping[str, ModelEntry], allow_download: bool, folder: str | None
) -> Choice:
    """The model to use for a request naming `asked` (see the module docstring)."""
    name = normalize(asked)
    if not name:
        return Choice(largest(_suitable(installed, need, folder)))
    known = KNOWN_MODELS.get(name)
    if name not in installed and known is None:
        listed = ", ".join(sorted(KNOWN_MODELS) + [n for n in installed if n not in KNOWN_MODELS])
        raise InvalidInput(f"model {asked!r} is neither a Whisper model nor installed; known: {listed}", field="model")
    multilingual = installed[name].multilingual if name in installed else known.multilingual
    if need is not None and not multilingual:
        return _substitute(name, f"model {name} is English-only and cannot {need.why}", installed, need, folder)
    if name in installed:
        return Choice(installed[name])
    if allow_download:
        candidates = [m for m in installed.values() if need is None or m.multilingual]
        return Choice(downloadable(name), fallback=_nearest(downloadable(name), candidates))
    return _substitute(name, f"model {name} is not installed{_where(folder)}", installed, need, folder)


def _substitute(
    name: str, why: str, installed: Mapping[str, ModelEntry], need: Need | None, folder: str | None
) -> Choice:
    asked = installed.get(name) or downloadable(name)
    chosen = _nearest(asked, _suitable(installed, need, folder, why))
    return Choice(chosen, warnings=(f"{why}; used {chosen.name}, the nearest installed model, instead",))


def _suitable(
    installed: Mapping[str, ModelEntry], need: Need | None, folder: str | None, why: str = ""
) -> list[ModelEntry]:
    if not installed:
        raise NotFound(_joined(why, f"no speech-recognition model is installed{_where(folder)}"))
    suitable = [m for m in installed.values() if need is None or m.multilingual]
    if not suitable:
        missing = f"no multilingual model is installed{_where(folder)} (installed: {', '.join(installed)})"
        raise InvalidInput(_joined(why or f"cannot {need.why}", missing), field=need.field)
    return suitable


def _nearest(asked: ModelEntry, candidates: list[ModelEntry]) -> ModelEntry | None:
    def distance(model: ModelEntry) -> tuple[float, bool, float]:
        return (abs(math.log(model.size_mb / asked.size_mb)), model.multilingual != asked.multilingual, model.size_mb)

    return min(candidates, key=distance, default=None)


def _installed(name: str, path: str) -> ModelEntry:
    files = [entry for entry in os.scandir(path) if entry.is_file()]
    size = sum(entry.stat().st_size for entry in files)
    known = KNOWN_MODELS.get(name)
    multilingual = known.multilingual if known else _vocabulary_size(path) >= MULTILINGUAL_VOCABULARY
    return ModelEntry(name, path, size, multilingual)


def _complete(path: str) -> bool:
    def present(name: str) -> bool:
        return os.path.isfile(os.path.join(path, name))

    return all(present(f) for f in REQUIRED_FILES) and any(present(f) for f in VOCABULARY_FILES)


def _vocabulary_size(path: str) -> int:
    # vocabulary.txt has one token a line, vocabulary.json is a list of them.
    text_file = os.path.join(path, VOCABULARY_FILES[0])
    if os.path.isfile(text_file):
        with open(text_file, encoding="utf-8") as handle:
            return sum(1 for _ in handle)
    with open(os.path.join(path, VOCABULARY_FILES[1]), encoding="utf-8") as handle:
        return len(json.load(handle))


def _joined(first: str, second: str) -> str:
    return f"{first}, and {second}" if first else second


def _where(folder: str | None) -> str:
    # Callers show these messages to clients: the folder is named by its role, never by its path on this machine.
    return (
        " in the Whisper models folder (--whisper-dir)"
        if folder
        else " (the sidecar was started without --whisper-dir)"
    )
