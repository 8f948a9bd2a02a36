"""How much memory an engine takes: what the process gains while the engine loads.

Engines cannot report their own size (an ONNX session or a torch model holds buffers no API lists), so
the loader measures the process around each load: resident memory from /proc/self/statm, plus CUDA
memory when torch is already imported and has a device. Libraries an engine imports count for the first
engine that imports them, and memory freed during a load lowers that load's figure; that is accurate
enough to keep several engines inside a budget, not an exact accounting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

from .base import Engine

MIB = 1024 * 1024

E = TypeVar("E", bound=Engine)


def used_bytes() -> int:
    """Resident memory of this process plus the CUDA memory torch holds; parts it cannot read count 0."""
    return resident_bytes() + cuda_bytes()


def resident_bytes() -> int:
    """Resident memory of this process (Linux); 0 where /proc/self/statm is unavailable."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cuda_bytes() -> int:
    """Memory torch has allocated on the current CUDA device; 0 without torch imported or without CUDA."""
    # Never imports torch: that alone costs seconds and hundreds of MiB on an engine that does not need it.
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return 0
    return int(torch.cuda.memory_allocated())


def measured(load: Callable[[], E]) -> E:
    """Runs `load` and records in the engine's info the MiB the process gained meanwhile (0 if it shrank)."""
    before = used_bytes()
    engine = load()
    engine.info.memory_mb = max(used_bytes() - before, 0) // MIB
    return engine
