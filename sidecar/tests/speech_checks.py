"""Checks every offline engine's speech must pass, whichever engine made it."""

from __future__ import annotations

import numpy as np

from chatterbox_sidecar.pitch import median_f0


def assert_voiced_mono_24k(audio: np.ndarray, min_seconds: float) -> None:
    """Mono float32 at 24 kHz, between `min_seconds` and 10 s, audible, unclipped and voiced."""
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert min_seconds < audio.size / 24000 < 10
    assert np.sqrt(np.mean(audio**2)) > 0.01 and np.max(np.abs(audio)) <= 1.0
    assert median_f0(audio, 24000) is not None
