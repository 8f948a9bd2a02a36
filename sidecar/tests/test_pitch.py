"""The F0 estimator on signals whose pitch is known."""

from __future__ import annotations

import numpy as np
import pytest

from chatterbox_sidecar.pitch import frame_f0, median_f0

from espeak_speech import low_male


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


def test_frames_are_centred_on_multiples_of_the_hop_as_in_world():
    rate = 24000
    audio = np.concatenate([harmonic_tone(150, rate, 0.5), harmonic_tone(250, rate, 0.5)])
    f0 = frame_f0(audio, rate, hop_seconds=0.005)
    assert f0.size == int(1.0 / 0.005) + 1
    # Frame i is centred at i x 5 ms: the switch at 0.5 s falls at frame 100, with 20 ms windows either side.
    assert np.allclose(f0[10:94], 150, rtol=0.02) and np.allclose(f0[106:190], 250, rtol=0.02)


def test_a_long_recording_is_analysed_in_chunks_without_seams():
    rate = 16000
    f0 = frame_f0(harmonic_tone(120, rate, 25.0), rate, hop_seconds=0.005)
    assert f0.size == 5001 and np.allclose(f0[10:-10], 120, rtol=0.01)


def test_a_rough_low_male_voice_counts_as_voiced_where_plain_yin_gives_up():
    samples, rate = low_male()
    f0 = frame_f0(samples, rate)
    # Plain YIN (one threshold of 0.15) finds about 27 % of this espeak-ng m3 sentence voiced.
    assert np.mean(~np.isnan(f0)) > 0.55
    assert abs(np.nanmedian(f0) / 87 - 1) < 0.05
