"""The TTS engines the sidecar holds at once: the default one, which speaks when a request names none, and
the others LoadModel asked for, plus the ones it asked for that could not be loaded and why."""

from __future__ import annotations

from ..errors import InvalidInput, Reason
from .base import Engine, EngineInfo

AUTO = "auto"
CHATTERBOX = "chatterbox"
PIPER = "piper"
ESPEAK = "espeak"
# AUTO's order of preference, for LoadModel's fallbacks and for a request naming AUTO.
PREFERENCE = (CHATTERBOX, PIPER, ESPEAK)


class EngineSet:
    """Loaded engines by name, the default first. The loader builds it; afterwards only jobs on the
    inference worker use its engines, while any thread may read its infos."""

    def __init__(self, default: Engine) -> None:
        self._engines: dict[str, Engine] = {default.info.engine: default}
        self.unavailable: list[tuple[str, str]] = []  # (engine name, reason in words for people)

    @property
    def default(self) -> Engine:
        return next(iter(self._engines.values()))

    @property
    def names(self) -> list[str]:
        """The loaded engines' names, the default first."""
        return list(self._engines)

    @property
    def memory_mb(self) -> int:
        """What the loaded engines took together when they loaded (EngineInfo.memory_mb)."""
        return sum(engine.info.memory_mb for engine in self._engines.values())

    def infos(self) -> list[EngineInfo]:
        """The loaded engines' infos, the default first."""
        return [engine.info for engine in self._engines.values()]

    def add(self, engine: Engine) -> None:
        self._engines[engine.info.engine] = engine

    def select(self, name: str | None) -> Engine:
        """The engine a request names: None = the default; AUTO = the first loaded in PREFERENCE order."""
        if name is None:
            return self.default
        if name == AUTO:
            return next(self._engines[n] for n in PREFERENCE if n in self._engines)
        if name not in self._engines:
            raise InvalidInput(
                f"engine {name} is not loaded; loaded: {', '.join(self.names)}",
                reason=Reason.ENGINE_NOT_LOADED,
                field="input.engine",
            )
        return self._engines[name]

    def close(self) -> None:
        """Closes every loaded engine."""
        for engine in self._engines.values():
            engine.close()
