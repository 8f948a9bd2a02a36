"""espeak-ng voice selection: ISO 639-1 language to espeak voice, and reference pitch to variant + -p value.

The -p value (0-99) maps to a different F0 for every variant, and not linearly, so the mapping is
measured: at load time each variant speaks a phrase at a few -p values, the median F0 of each take is
recorded, and a wanted F0 is turned into -p by interpolating those measurements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..pitch import median_f0

# The 23 Chatterbox multilingual languages first, then other languages espeak-ng speaks well.
LANGUAGE_VOICES: dict[str, str] = {
    "ar": "ar",
    "da": "da",
    "de": "de",
    "el": "el",
    "en": "en-us",
    "es": "es",
    "fi": "fi",
    "fr": "fr-fr",
    "he": "he",
    "hi": "hi",
    "it": "it",
    "ja": "ja",
    "ko": "ko",
    "ms": "ms",
    "nl": "nl",
    "no": "nb",
    "pl": "pl",
    "pt": "pt",
    "ru": "ru",
    "sv": "sv",
    "sw": "sw",
    "tr": "tr",
    "zh": "cmn",
    "bg": "bg",
    "bn": "bn",
    "ca": "ca",
    "cs": "cs",
    "et": "et",
    "fa": "fa",
    "hr": "hr",
    "hu": "hu",
    "id": "id",
    "lt": "lt",
    "lv": "lv",
    "ro": "ro",
    "sk": "sk",
    "sl": "sl",
    "sr": "sr",
    "ta": "ta",
    "uk": "uk",
    "ur": "ur",
    "vi": "vi",
}

MALE_VARIANT = "m3"
FEMALE_VARIANT = "f3"
CALIBRATION_PITCHES = (0, 20, 40, 60, 80, 99)
CALIBRATION_PHRASE = "We measure how high this voice speaks, from one calm sentence to the next."
# Above this reference F0 the female variant is used: its lowest -p (about 150 Hz) still reaches it,
# while the male variant tops out around 175 Hz. The WORLD step after synthesis covers the rest.
FEMALE_ABOVE_HZ = 160.0
DEFAULT_PITCH = 50


@dataclass(frozen=True)
class PitchCurve:
    """Measured median F0 (Hz) of one variant at each calibration -p value, made non-decreasing."""

    variant: str
    pitches: tuple[float, ...]
    f0_hz: tuple[float, ...]

    def pitch_for(self, f0_hz: float) -> float:
        """The -p value expected to produce `f0_hz`, clamped to what the variant can reach."""
        return float(np.interp(f0_hz, self.f0_hz, self.pitches))


@dataclass(frozen=True)
class Calibration:
    male: PitchCurve
    female: PitchCurve

    def voice_for(self, reference_f0_hz: float | None) -> tuple[str, float]:
        """(variant, -p value) that best imitates a reference with this median F0 (None = default voice)."""
        if reference_f0_hz is None:
            return self.male.variant, float(DEFAULT_PITCH)
        curve = self.female if reference_f0_hz > FEMALE_ABOVE_HZ else self.male
        return curve.variant, curve.pitch_for(reference_f0_hz)


Render = Callable[[str, int], tuple[np.ndarray, int]]


def calibrate(render: Render) -> Calibration:
    """Measures both variants; `render(variant, pitch)` speaks CALIBRATION_PHRASE and returns (samples, rate)."""
    return Calibration(male=_measure(render, MALE_VARIANT), female=_measure(render, FEMALE_VARIANT))


def _measure(render: Render, variant: str) -> PitchCurve:
    measured: list[float] = []
    for pitch in CALIBRATION_PITCHES:
        samples, rate = render(variant, pitch)
        f0 = median_f0(samples, rate)
        if f0 is None:
            raise RuntimeError(f"espeak-ng calibration produced no voiced audio for variant {variant} at -p {pitch}")
        measured.append(f0)
    # np.interp needs increasing x values; measurement noise could make two neighbours swap.
    monotonic = np.maximum.accumulate(np.asarray(measured)) + np.arange(len(measured)) * 1e-6
    return PitchCurve(variant, tuple(float(p) for p in CALIBRATION_PITCHES), tuple(float(f) for f in monotonic))
