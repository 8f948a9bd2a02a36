"""The few torch touch points of the Chatterbox adapter, kept apart so tests can run without torch."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..errors import InvalidInput, NotLoaded

DEVICES = ("cpu", "cuda", "mps")


def available_accelerators() -> dict[str, bool]:
    """Which accelerators torch can use here."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    return {"cuda": torch.cuda.is_available(), "mps": bool(mps is not None and mps.is_available())}


def choose_device(requested: str, accelerators: dict[str, bool]) -> str:
    """Resolves "auto" to cuda, then mps, then cpu; checks that an explicit device exists."""
    wanted = (requested or "auto").strip().lower()
    if wanted == "auto":
        return "cuda" if accelerators.get("cuda") else "mps" if accelerators.get("mps") else "cpu"
    kind = wanted.split(":", 1)[0]
    if kind not in DEVICES:
        raise InvalidInput(f"device must be auto, cpu, cuda, cuda:<index> or mps, got {requested!r}", field="device")
    if kind != "cpu" and not accelerators.get(kind):
        raise NotLoaded(f"device {wanted} was requested but torch sees no {kind} device on this machine")
    return wanted


def is_out_of_memory(error: BaseException) -> bool:
    """True for torch's (CUDA or MPS) out-of-memory errors."""
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    classes = tuple(
        c
        for c in (getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None))
        if isinstance(c, type)
    )
    return bool(classes) and isinstance(error, classes)


def release_device_memory() -> None:
    """Returns cached blocks to the driver after an out-of-memory error."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def to_mono_float32(wav: Any) -> np.ndarray:
    """The official models return a (1, N) float tensor on the CPU; this gives a flat float32 array."""
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    array = np.asarray(wav, dtype=np.float32)
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    return np.ascontiguousarray(array.reshape(-1))


def detach_tensors(value: Any, depth: int = 3) -> Any:
    """`value` with every tensor inside it (dict values, object attributes) detached from autograd.

    The official prepare_conditionals runs without no_grad, so its conditionals hold non-leaf tensors,
    which copy.deepcopy refuses; detached, they copy fine and keep no graph alive in the cache.
    """
    if hasattr(value, "detach") and callable(value.detach):
        return value.detach()
    if depth == 0:
        return value
    if isinstance(value, dict):
        return {key: detach_tensors(item, depth - 1) for key, item in value.items()}
    if hasattr(value, "__dict__") and not isinstance(value, type):
        for key, item in list(vars(value).items()):
            setattr(value, key, detach_tensors(item, depth - 1))
    return value
