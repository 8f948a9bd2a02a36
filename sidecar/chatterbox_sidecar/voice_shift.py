"""Signal-level voice conversion with the WORLD vocoder (pyworld): moves a recording's pitch and formants
toward another voice, keeping its words, timing and length. Not neural cloning: the timbre beyond pitch
and vocal-tract length (breathiness, accent, rhythm) stays the source's.

The source is analysed into a spectral envelope (CheapTrick) and an aperiodicity (D4C) along an F0
contour from our own YIN (pitch.py). The voiced F0 is scaled so the source's median lands on the target's
median times 2^(semitones/12), which keeps the contour's shape; the envelope is stretched along frequency
by the voices' formant ratio; WORLD resynthesizes the result (world_render.py). Output is at RATE (24 kHz).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pitch import median_of
from .world_render import RATE, Track, envelopes, render, track

__all__ = ["RATE", "Shifted", "VoiceProfile", "convert_voice", "formant_ratio", "shift_pitch", "voice_profile"]

# Beyond this range a formant stretch starts to blur vowels into one another; real adult voices differ by
# less (a typical woman's formants lie about 15-20 % above a typical man's).
FORMANT_RATIO_RANGE = (0.85, 1.2)
FORMANT_RATIO_STEP = 0.005
# The band where formants F1-F4 live; below it the F0 region, above it mostly fricative noise.
FORMANT_BAND_HZ = (150.0, 5000.0)
# A voice's long-term envelope settles within seconds of voiced speech; beyond this many voiced frames
# (20 s) a long recording is sampled evenly, which bounds the time and memory of a profile.
PROFILE_FRAMES = 4000
# Peak level of output that would otherwise clip, just under full scale so S16 encoding cannot wrap.
CLIP_CEILING = 0.98


@dataclass(frozen=True)
class VoiceProfile:
    """What the conversion needs to know of a voice: its median F0 and its long-term spectral shape."""

    median_f0_hz: float
    # Mean log spectral envelope over the voiced frames, in bins from 0 Hz to RATE / 2.
    log_envelope: np.ndarray


@dataclass(frozen=True)
class Shifted:
    """Converted audio (mono float32 at RATE, as long as the source) and the ratios that were applied."""

    samples: np.ndarray
    pitch_ratio: float  # output F0 / source F0 on every voiced frame
    formant_ratio: float  # output formant frequencies / source formant frequencies


def voice_profile(samples: np.ndarray, sample_rate: int) -> VoiceProfile | None:
    """The profile of a recording, or None when it has no voiced speech (fewer than 5 voiced frames)."""
    return _profile(track(samples, sample_rate))


def formant_ratio(source: VoiceProfile, target: VoiceProfile) -> float:
    """How far the source's envelope must be stretched along frequency to match the target's.

    Searches FORMANT_RATIO_RANGE for the stretch whose warped mean log envelope best matches the
    target's inside FORMANT_BAND_HZ, levels removed. Fed a copy of a voice stretched by a known ratio, it
    finds that ratio within 0.02; between speakers it measures vocal-tract length only roughly, since
    their words differ too.
    """
    frequencies = np.linspace(0.0, RATE / 2.0, source.log_envelope.size)
    band = (frequencies >= FORMANT_BAND_HZ[0]) & (frequencies <= FORMANT_BAND_HZ[1])
    low, high = FORMANT_RATIO_RANGE
    candidates = np.arange(low, high + FORMANT_RATIO_STEP / 2, FORMANT_RATIO_STEP)
    mismatches = [
        _mismatch(np.interp(frequencies / ratio, frequencies, source.log_envelope)[band], target.log_envelope[band])
        for ratio in candidates
    ]
    return float(candidates[int(np.argmin(mismatches))])


def convert_voice(
    samples: np.ndarray,
    sample_rate: int,
    target: VoiceProfile,
    semitones: float = 0.0,
    formants: float | None = None,
) -> Shifted | None:
    """Moves the recording's pitch to the target's median F0 x 2^(semitones/12) and its formants by
    `formants` (None: the ratio measured between this recording and the target). None when the recording
    has no voiced speech to measure."""
    recording = track(samples, sample_rate)
    source = _profile(recording)
    if source is None:
        return None
    pitch_ratio = target.median_f0_hz * 2.0 ** (semitones / 12.0) / source.median_f0_hz
    warp = formant_ratio(source, target) if formants is None else formants
    return Shifted(_limit_peak(render(recording, pitch_ratio, warp)), pitch_ratio, warp)


def shift_pitch(samples: np.ndarray, sample_rate: int, semitones: float) -> np.ndarray | None:
    """The recording `semitones` higher (or lower), formants kept, at RATE; None without voiced speech."""
    recording = track(samples, sample_rate)
    if median_of(_voiced_f0(recording)) is None:
        return None
    return _limit_peak(render(recording, 2.0 ** (semitones / 12.0), 1.0))


def _profile(recording: Track) -> VoiceProfile | None:
    median = median_of(_voiced_f0(recording))
    if median is None:
        return None
    voiced = np.nonzero(recording.f0 > 0)[0]
    if voiced.size > PROFILE_FRAMES:
        voiced = voiced[np.linspace(0, voiced.size - 1, PROFILE_FRAMES).astype(int)]
    log_envelope = np.log(np.maximum(envelopes(recording, voiced), 1e-20)).mean(axis=0)
    return VoiceProfile(median, log_envelope)


def _voiced_f0(recording: Track) -> np.ndarray:
    return np.where(recording.f0 > 0, recording.f0, np.nan)


def _mismatch(warped: np.ndarray, target: np.ndarray) -> float:
    difference = warped - target
    return float(np.mean((difference - difference.mean()) ** 2))


def _limit_peak(samples: np.ndarray) -> np.ndarray:
    """float32, scaled down only when it would clip; otherwise the level is left as resynthesized."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    scaled = samples * (CLIP_CEILING / peak) if peak > 1.0 else samples
    return scaled.astype(np.float32)
