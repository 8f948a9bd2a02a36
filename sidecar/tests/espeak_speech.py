"""Real speech for the DSP tests, spoken by espeak-ng itself (no engine, no calibration)."""

from __future__ import annotations

import functools
import io
import subprocess

import numpy as np
import soundfile

LOW_TEXT = "The weather is lovely today, so we should walk along the river and look at the boats."
HIGH_TEXT = "Please remember to bring the blue notebook when you come to the meeting tomorrow morning."


@functools.cache
def espeak_speech(text: str, voice: str, pitch: int) -> tuple[np.ndarray, int]:
    """(mono float32 samples, sample rate) of `text` in espeak-ng's `voice` (e.g. "en-us+m3") at -p `pitch`."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "--stdout", "--stdin"],
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    samples.setflags(write=False)  # shared between tests through the cache
    return samples, rate


def low_male() -> tuple[np.ndarray, int]:
    """A low male voice (about 87 Hz)."""
    return espeak_speech(LOW_TEXT, "en-us+m3", 30)


def high_female() -> tuple[np.ndarray, int]:
    """A high female voice (about 255 Hz) saying something else."""
    return espeak_speech(HIGH_TEXT, "en-us+f3", 70)
