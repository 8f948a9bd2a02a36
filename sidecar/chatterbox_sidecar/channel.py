"""A bounded handoff from the inference worker to the RPC thread that streams its results.

The bound gives backpressure: a slow reader stalls the worker instead of piling audio up in memory.
Either side can stop the other: the worker ends the stream with `finish()` or `fail(error)` (delivered
after the items already queued), and the RPC side `cancel(error)`s it when the caller goes away, which
makes the worker's next `put` raise at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import Any


class Channel:
    """Single-producer, single-consumer bounded queue with in-band completion and out-of-band cancel."""

    def __init__(self, capacity: int = 4) -> None:
        self._capacity = capacity
        self._items: deque[tuple[str, Any]] = deque()
        self._ready = threading.Condition()
        self._cancelled: BaseException | None = None

    def put(self, item: Any) -> None:
        """Blocks while full; raises the cancel error if the consumer went away."""
        with self._ready:
            self._ready.wait_for(lambda: len(self._items) < self._capacity or self._cancelled is not None)
            self._raise_if_cancelled()
            self._items.append(("item", item))
            self._ready.notify_all()

    def finish(self) -> None:
        """Marks the end of a successful stream."""
        self._close(("end", None))

    def fail(self, error: BaseException) -> None:
        """Ends the stream with `error`, raised to the consumer after the items already queued."""
        self._close(("error", error))

    def cancel(self, error: BaseException) -> None:
        """Consumer side: stop now. Pending items are dropped; both sides see `error`."""
        with self._ready:
            if self._cancelled is None:
                self._cancelled = error
                self._items.clear()
            self._ready.notify_all()

    def __iter__(self) -> Iterator[Any]:
        """Yields items until the end marker; raises the producer's or the cancel error."""
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._items or self._cancelled is not None)
                self._raise_if_cancelled()
                kind, value = self._items.popleft()
                self._ready.notify_all()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def _close(self, marker: tuple[str, Any]) -> None:
        # The end marker may exceed the capacity by one: the producer must never block on finishing.
        with self._ready:
            if self._cancelled is None:
                self._items.append(marker)
            self._ready.notify_all()

    def _raise_if_cancelled(self) -> None:
        if self._cancelled is not None:
            raise self._cancelled
