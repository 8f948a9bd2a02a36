"""Time stretch: duration follows 1/speed, pitch stays, fallbacks are reported."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest
import soundfile

from chatterbox_sidecar import stretch
from chatterbox_sidecar.errors import InvalidInput
from chatterbox_sidecar.pitch import median_f0


@pytest.fixture(scope="module")
def speech() -> tuple[np.ndarray, int]:
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us+f3", "--stdout", "--stdin"],
        capture_output=True,
        check=True,
        input=b"Stretching speech must keep its pitch while the duration changes a lot.",
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


@pytest.mark.parametrize("library", [stretch.AUDIOSTRETCHY, stretch.SOX])
@pytest.mark.parametrize("speed", [0.5, 0.8, 1.25, 2.0])
def test_duration_follows_one_over_speed_and_pitch_is_preserved(speech, library, speed):
    samples, rate = speech
    if not stretch.is_available(library):
        pytest.skip(f"{library} is not available here")
    result = stretch.time_stretch(samples, rate, speed, library)
    assert result.library == library and result.warnings == []
    assert result.samples.dtype == np.float32
    assert abs(result.samples.size / samples.size - 1 / speed) < 0.05 / speed
    assert abs(median_f0(result.samples, rate) / median_f0(samples, rate) - 1) < 0.05


def test_audiostretchy_speed_up_has_no_trailing_padding(speech):
    samples, rate = speech
    if not stretch.is_available(stretch.AUDIOSTRETCHY):
        pytest.skip("audiostretchy is not available here")
    result = stretch.time_stretch(samples, rate, 1.6, stretch.AUDIOSTRETCHY)
    assert result.samples.size < 0.7 * samples.size
    tail = result.samples[-int(0.05 * rate) :]
    original_tail = samples[-int(0.05 * rate) :]
    assert (
        np.abs(tail).max() <= np.abs(original_tail).max() + 0.05
    )  # no appended block of silence beyond the input's own


def test_speed_one_is_untouched(speech):
    samples, rate = speech
    result = stretch.time_stretch(samples, rate, 1.0)
    assert result.library is None and np.array_equal(result.samples, samples)


@pytest.mark.parametrize("speed", [0.49, 2.01, 0.0, -1.0, float("nan"), float("inf")])
def test_speeds_outside_half_to_double_are_invalid(speed):
    with pytest.raises(InvalidInput, match=r"speed must be between 0\.5 and 2\.0"):
        stretch.time_stretch(np.zeros(100, np.float32), 16000, speed)


def test_auto_prefers_audiostretchy_then_sox(speech, monkeypatch):
    samples, rate = speech
    assert stretch.time_stretch(samples, rate, 1.2).library == stretch.available_libraries()[0]
    monkeypatch.setattr(stretch, "is_available", lambda name: name == stretch.SOX)
    assert stretch.time_stretch(samples, rate, 1.2).library == stretch.SOX


def test_an_unavailable_library_falls_back_and_says_so(speech, monkeypatch):
    samples, rate = speech
    monkeypatch.setattr(stretch, "is_available", lambda name: name in (stretch.AUDIOSTRETCHY, stretch.SOX))
    result = stretch.time_stretch(samples, rate, 1.2, stretch.TORCHAUDIO)
    assert result.library == stretch.AUDIOSTRETCHY
    assert result.warnings == ["time-stretch library torchaudio is not available here; used audiostretchy"]


def test_a_failing_library_falls_back_to_the_next(speech, monkeypatch):
    samples, rate = speech

    def broken(*_args):
        raise OSError("boom")

    monkeypatch.setitem(stretch._IMPLEMENTATIONS, stretch.AUDIOSTRETCHY, broken)
    monkeypatch.setattr(stretch, "is_available", lambda name: name in (stretch.AUDIOSTRETCHY, stretch.SOX))
    result = stretch.time_stretch(samples, rate, 1.2)
    assert result.library == stretch.SOX
    assert "audiostretchy failed" in result.warnings[0]


def test_an_unknown_library_name_is_invalid():
    with pytest.raises(InvalidInput):
        stretch.time_stretch(np.zeros(100, np.float32), 16000, 1.5, "rubberband")
