"""A small LRU of voice conditionals, kept on the CPU so cached voices never pin device memory."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ConditionalsCache:
    """Maps (model variant, sha256 of the reference audio) to conditionals stored on the CPU.

    `get_on_device` hands out a deep copy moved to the device: the official `Conditionals.to()` moves
    tensors in place, and `generate()` may replace fields of the model's conditionals, so the cached
    original must never be given to the model itself.
    """

    def __init__(self, capacity: int, move: Callable[[Any, str], Any]) -> None:
        self._capacity = capacity
        self._move = move
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_on_device(self, key: Hashable, device: str, build: Callable[[], Any]) -> Any:
        """The conditionals for `key` on `device`; `build()` makes them on a miss (any device)."""
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if cached is None:
            self.misses += 1
            cached = self._move(build(), "cpu")
            with self._lock:
                self._entries[key] = cached
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
        return self._move(copy.deepcopy(cached), device)

    def clear(self) -> None:
        """Drops every entry (after an out-of-memory error)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
