"""The F0 estimator on signals whose pitch is known."""

from __future__ import annotations

import numpy as np
import pytest

from chatterbox_sidecar.pitch import frame_f0, median_f0


def harmonic_tone(f0: float, rate: int = 24000, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return sum((0.3 / k) * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 6)).astype(np.float32)


@pytest.mark.parametrize("f0", [70, 110, 180, 260, 420])
@pytest.mark.parametrize("rate", [16000, 22050, 24000, 48000])
def test_median_f0_of_a_harmonic_tone(f0, rate):
    assert abs(median_f0(harmonic_tone(f0, rate), rate) / f0 - 1) < 0.02


def test_a_missing_fundamental_is_still_found():
    rate = 24000
    t = np.arange(rate) / rate
    tone = sum(np.sin(2 * np.pi * k * 150 * t) for k in (2, 3, 4)).astype(np.float32)
    assert abs(median_f0(tone, rate) / 150 - 1) < 0.03


def test_silence_and_noise_have_no_pitch():
    assert median_f0(np.zeros(24000, np.float32), 24000) is None
    assert median_f0(np.random.default_rng(1).normal(size=24000).astype(np.float32), 24000) is None
    assert median_f0(np.zeros(10, np.float32), 24000) is None


def test_quiet_frames_are_unvoiced():
    audio = np.concatenate([harmonic_tone(200, 16000, 0.5), np.zeros(8000, np.float32)])
    f0 = frame_f0(audio, 16000)
    assert np.isnan(f0[-20:]).all() and not np.isnan(f0[5:30]).any()
