"""The espeak engine: real offline speech from the espeak-ng CLI, steered toward a reference voice.

It is formant synthesis plus signal processing, not neural cloning. A reference voice chooses the male or
female variant and the -p value (from the reference's median F0); then the WORLD vocoder moves each
segment's pitch onto the reference's median F0 and stretches its formants toward the reference's
(signal_voice.py). Voice conversion is the same WORLD conversion applied to the caller's recording.
Seed and temperature add a small deterministic pitch and rate variation per segment, so equal seeds
give byte-identical audio and different seeds give audibly different takes.
"""

from __future__ import annotations

import functools
import html
import io
import logging
import re
import subprocess
import zlib

import numpy as np
import soundfile

from .. import pcm
from ..voice_shift import VoiceProfile
from . import signal_voice
from .base import Audio, Conversion, EngineInfo, GenerationParams, SegmentRequest
from .espeak_voices import (
    CALIBRATION_PHRASE,
    DEFAULT_PITCH,
    FEMALE_VARIANT,
    LANGUAGE_VOICES,
    MALE_VARIANT,
    Calibration,
    calibrate,
)
from .signal_voice import CONVERT_VOICE_METHOD, ENGINE_VOICE_METHOD, SAMPLE_RATE, UNVOICED_TARGET_METHOD

__all__ = [
    "CONVERT_VOICE_METHOD",
    "ENGINE_VOICE_METHOD",
    "TTS_VOICE_METHOD",
    "UNVOICED_REFERENCE_METHOD",
    "UNVOICED_TARGET_METHOD",
    "EspeakEngine",
]

log = logging.getLogger("chatterbox_sidecar.espeak")

BINARY = "espeak-ng"
DEFAULT_RATE_WPM = 175
DEFAULT_TEMPERATURE = 0.8  # Chatterbox's default, so an unset temperature varies as much as theirs
MAX_JITTER_SCALE = 2.0
PITCH_JITTER = 3.0  # -p units at the default temperature
RATE_JITTER = 0.05  # fraction of the speaking rate at the default temperature
IGNORED_PARAMETERS = ("cfg_weight", "min_p", "top_p", "repetition_penalty", "top_k")
TIMEOUT_SECONDS = 120
TTS_VOICE_METHOD = (
    "signal-level: espeak-ng variant and pitch picked from the reference, then pitch and formants moved "
    "toward the reference (WORLD vocoder); not neural cloning"
)
UNVOICED_REFERENCE_METHOD = "none: the reference has no voiced speech, so espeak-ng's default voice spoke"


class EspeakEngine:
    """Engine over the espeak-ng command-line program (see the module docstring)."""

    def __init__(self) -> None:
        version = _espeak_version()
        self._calibration = _calibration()
        self._variant_profiles = _variant_profiles()
        self._profiles = signal_voice.profile_cache()
        self.info = EngineInfo(
            engine="espeak",
            variant=None,
            device="cpu",
            sample_rate=SAMPLE_RATE,
            languages=sorted(_installed_languages()),
            voice_conversion=True,
            watermarked=False,
            engine_version=f"espeak-ng {version}",
            voice_method=ENGINE_VOICE_METHOD,
        )

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        """Formant synthesis has no sampling, so the sampling controls do nothing here."""
        return [name for name in IGNORED_PARAMETERS if getattr(params, name) is not None]

    def voice_method(self, voice: Audio | None) -> str:
        return signal_voice.reference_method(self._profiles, voice, TTS_VOICE_METHOD, UNVOICED_REFERENCE_METHOD)

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        """Speaks one segment at 24 kHz, moved toward the reference voice when one is given."""
        reference = self._profiles.get(request.voice) if request.voice is not None else None
        variant, pitch = self._calibration.voice_for(reference.median_f0_hz if reference is not None else None)
        pitch_delta, rate_factor = _jitter(request.seed, request.params.temperature, request.text)
        args = [
            "-v",
            f"{LANGUAGE_VOICES[request.language]}+{variant}",
            "-p",
            str(int(np.clip(round(pitch + pitch_delta), 0, 99))),
            "-s",
            str(round(float(DEFAULT_RATE_WPM * rate_factor))),  # float(): numpy scalars round to numpy types
            "-m",
        ]
        samples, rate = _speak(_ssml(request.text, request.params.exaggeration), args)
        samples = pcm.resample(samples, rate, SAMPLE_RATE)
        if reference is None:
            return samples
        return signal_voice.toward(samples, self._variant_profiles[variant], reference)

    def convert(self, source: Audio, target: Audio | None, pitch_shift_semitones: float = 0.0) -> Conversion:
        """Moves the source's pitch and formants toward the target (WORLD), keeping its words and length.

        No target: the built-in (male variant) voice, whose profile was measured when the engine loaded."""
        builtin = self._variant_profiles[MALE_VARIANT]
        return signal_voice.convert(source, target, pitch_shift_semitones, builtin, self._profiles)

    def close(self) -> None:
        """Nothing to release: every call is a short-lived subprocess."""


def _jitter(seed: int | None, temperature: float | None, text: str) -> tuple[float, float]:
    """(pitch delta in -p units, rate factor), a deterministic function of seed, temperature and text."""
    scale = min(
        (temperature if temperature is not None else DEFAULT_TEMPERATURE) / DEFAULT_TEMPERATURE, MAX_JITTER_SCALE
    )
    # The text is mixed in so segments sharing a seed still vary a little from one another.
    rng = np.random.default_rng([seed or 0, zlib.crc32(text.encode("utf-8"))])
    pitch_unit, rate_unit = rng.uniform(-1.0, 1.0, size=2)
    return pitch_unit * PITCH_JITTER * scale, 1.0 + rate_unit * RATE_JITTER * scale


def _ssml(text: str, exaggeration: float | None) -> str:
    # Exaggeration widens the intonation range: Chatterbox's default 0.5 is espeak's normal 100 %.
    range_percent = 100 if exaggeration is None else round(min(exaggeration * 200.0, 400.0))
    return f'<speak><prosody range="{range_percent}%">{html.escape(text, quote=False)}</prosody></speak>'


def _speak(text: str, args: list[str]) -> tuple[np.ndarray, int]:
    command = [BINARY, *args, "--stdout", "-b", "1", "--stdin"]
    result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0 or not result.stdout:
        raise RuntimeError(f"espeak-ng failed ({result.returncode}): {result.stderr.decode(errors='replace').strip()}")
    samples, rate = soundfile.read(io.BytesIO(result.stdout), dtype="float32")
    return pcm.to_mono(samples), int(rate)


@functools.lru_cache(maxsize=1)
def _espeak_version() -> str:
    try:
        output = subprocess.run([BINARY, "--version"], capture_output=True, text=True, check=True).stdout
    except (FileNotFoundError, subprocess.CalledProcessError) as error:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)") from error
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", output)
    return match.group(1) if match else output.strip()


@functools.lru_cache(maxsize=1)
def _installed_languages() -> frozenset[str]:
    listing = subprocess.run([BINARY, "--voices"], capture_output=True, text=True, check=True).stdout
    installed = {line.split()[1] for line in listing.splitlines()[1:] if len(line.split()) > 1}
    return frozenset(code for code, voice in LANGUAGE_VOICES.items() if voice in installed)


@functools.lru_cache(maxsize=1)
def _calibration() -> Calibration:
    # Measured once per process: it depends only on the installed espeak-ng.
    def render(variant: str, pitch: int) -> tuple[np.ndarray, int]:
        return _speak(CALIBRATION_PHRASE, ["-v", f"en-us+{variant}", "-p", str(pitch)])

    calibration = calibrate(render)
    log.info(
        "espeak pitch calibration", extra={"male_hz": calibration.male.f0_hz, "female_hz": calibration.female.f0_hz}
    )
    return calibration


@functools.lru_cache(maxsize=1)
def _variant_profiles() -> dict[str, VoiceProfile]:
    """Each variant's voice profile at the default pitch; the male one is the built-in voice."""
    profiles = {}
    for variant in (MALE_VARIANT, FEMALE_VARIANT):
        samples, rate = _speak(CALIBRATION_PHRASE, ["-v", f"en-us+{variant}", "-p", str(DEFAULT_PITCH)])
        profiles[variant] = signal_voice.builtin_profile(samples, rate, f"espeak-ng variant {variant}")
    return profiles
