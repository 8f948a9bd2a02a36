"""One quick look at whether the Hugging Face hub can be reached, taken before from_pretrained (or a Whisper
download) tries it.

Without it, a machine with no network spends about 28 s in huggingface_hub's retries on every start
before AUTO falls back to espeak. A TCP connect to the host of HF_ENDPOINT answers within
PROBE_TIMEOUT_SECONDS, and the answer is kept for the life of the process because LoadModel may be
called again. Weights already in huggingface_hub's own cache (from an earlier download) need no network,
which is why the loader asks `in_hub_cache` before giving up.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_SECONDS = 2.0
DEFAULT_PORTS = {"https": 443, "http": 80}
# The values huggingface_hub itself reads as true in its boolean environment variables.
TRUE_VALUES = {"1", "on", "yes", "true"}

_outcomes: dict[tuple[str, int], str | None] = {}
_outcomes_lock = threading.Lock()


def unreachable_reason() -> str | None:
    """None when the hub may be reachable; otherwise why it is not (offline mode, no connection)."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in TRUE_VALUES:
        return "HF_HUB_OFFLINE is set"
    endpoint = os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    address = _address(endpoint)
    if address is None:
        return f"HF_ENDPOINT {endpoint!r} names no host and port"
    with _outcomes_lock:
        if address not in _outcomes:
            _outcomes[address] = _connect(*address)
        return _outcomes[address]


def in_hub_cache(repo: str, filenames: Iterable[str]) -> bool:
    """True when huggingface_hub's cache already holds every file of `repo`, so no download is needed."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    # It returns a path for a cached file, None or a marker object otherwise.
    return all(isinstance(try_to_load_from_cache(repo, name), str) for name in filenames)


def _address(endpoint: str) -> tuple[str, int] | None:
    parts = urlsplit(endpoint)
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None
    return (parts.hostname, port) if parts.hostname and port else None


def _connect(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            return None
    except OSError as error:
        return f"no connection to {host}:{port} within {PROBE_TIMEOUT_SECONDS:g} s: {error}"
