"""Defaults of the sidecar's flags, read from defaults.json next to this module.

The TypeScript config schema reads the same file, so the server's config and a sidecar run by hand can
never disagree about them. Keep every default that both sides need there, not in code.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DEFAULTS_FILE = "defaults.json"


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _typed(values: dict[str, Any], key: str, *kinds: type) -> Any:
    # A wrong type in the shared file must stop the process at once, not surface later as a bad default.
    value = values.get(key)
    if not isinstance(value, kinds) or isinstance(value, bool):
        names = " or ".join(kind.__name__ for kind in kinds)
        raise ValueError(f"{DEFAULTS_FILE}: {key} must be of type {names}, got {value!r}")
    return value


_VALUES = _load()
LISTEN: str = _typed(_VALUES, "listen", str)
QUEUE_CAPACITY: int = _typed(_VALUES, "queue_capacity", int)
MAX_MESSAGE_MB: int = _typed(_VALUES, "max_message_mb", int)
GRACE_SECONDS: float = float(_typed(_VALUES, "grace_seconds", int, float))
STT_MEMORY_MB: int = _typed(_VALUES, "stt_memory_mb", int)
STT_QUEUE_CAPACITY: int = _typed(_VALUES, "stt_queue_capacity", int)
MAX_QUEUE_WAIT_SECONDS: float = float(_typed(_VALUES, "max_queue_wait_seconds", int, float))
