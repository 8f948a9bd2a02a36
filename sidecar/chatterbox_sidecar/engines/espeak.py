"""The espeak engine: real offline speech from the espeak-ng CLI, steered by the reference voice's pitch.

It is formant synthesis, not neural cloning: a reference voice only chooses the male or female variant
and the base pitch (from the reference's median F0), and its voice conversion is a DSP pitch shift.
Seed and temperature add a small deterministic pitch and rate variation per segment, so equal seeds
give byte-identical audio and different seeds give audibly different takes.
"""

from __future__ import annotations

import functools
import html
import io
import logging
import math
import re
import subprocess
import zlib
from collections import OrderedDict

import numpy as np
import soundfile

from .. import pcm
from ..pitch import median_f0
from .base import Audio, EngineInfo, GenerationParams, SegmentRequest
from .espeak_voices import CALIBRATION_PHRASE, LANGUAGE_VOICES, Calibration, calibrate

log = logging.getLogger("chatterbox_sidecar.espeak")

SAMPLE_RATE = 24000
BINARY = "espeak-ng"
DEFAULT_RATE_WPM = 175
DEFAULT_TEMPERATURE = 0.8  # Chatterbox's default, so an unset temperature varies as much as theirs
MAX_JITTER_SCALE = 2.0
PITCH_JITTER = 3.0  # -p units at the default temperature
RATE_JITTER = 0.05  # fraction of the speaking rate at the default temperature
IGNORED_PARAMETERS = ("cfg_weight", "min_p", "top_p", "repetition_penalty", "top_k")
TIMEOUT_SECONDS = 120


class EspeakEngine:
    """Engine over the espeak-ng command-line program (see the module docstring)."""

    def __init__(self) -> None:
        version = _espeak_version()
        self._calibration = _calibration()
        self._reference_f0: OrderedDict[str, float | None] = OrderedDict()
        self.info = EngineInfo(
            engine="espeak",
            variant=None,
            device="cpu",
            sample_rate=SAMPLE_RATE,
            languages=sorted(_installed_languages()),
            voice_conversion=True,
            watermarked=False,
            engine_version=f"espeak-ng {version}",
        )

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        """Formant synthesis has no sampling, so the sampling controls do nothing here."""
        return [name for name in IGNORED_PARAMETERS if getattr(params, name) is not None]

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        """Speaks one segment at 24 kHz, imitating the reference voice's pitch when one is given."""
        variant, pitch = self._calibration.voice_for(self._median_f0(request.voice))
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
        return pcm.resample(samples, rate, SAMPLE_RATE)

    def convert(self, source: Audio, target: Audio | None) -> tuple[np.ndarray, list[str]]:
        """Shifts the source's pitch to the target's median F0, keeping its duration (DSP, not neural)."""
        samples = pcm.resample(source.samples, source.sample_rate, SAMPLE_RATE)
        warnings = ["espeak voice conversion shifts the pitch to the target's median F0; it is DSP, not neural cloning"]
        source_f0 = median_f0(samples, SAMPLE_RATE)
        target_f0 = self._median_f0(target) if target is not None else self._calibration.default_f0_hz
        if source_f0 is None or target_f0 is None:
            warnings.append("no voiced speech found in the source or target; the source is returned unchanged")
            return samples, warnings
        cents = float(np.clip(1200.0 * math.log2(target_f0 / source_f0), -2400.0, 2400.0))
        return _shift_pitch(samples, cents), warnings

    def close(self) -> None:
        """Nothing to release: every call is a short-lived subprocess."""

    def _median_f0(self, voice: Audio | None) -> float | None:
        if voice is None:
            return None
        if voice.sha256 not in self._reference_f0:
            self._reference_f0[voice.sha256] = median_f0(voice.samples, voice.sample_rate)
            while len(self._reference_f0) > 64:
                self._reference_f0.popitem(last=False)
        return self._reference_f0[voice.sha256]


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


def _shift_pitch(samples: np.ndarray, cents: float) -> np.ndarray:
    raw = ["-t", "raw", "-e", "floating-point", "-b", "32", "-L", "-c", "1", "-r", str(SAMPLE_RATE)]
    command = ["sox", "-V1", *raw, "-", *raw, "-", "pitch", f"{cents:.1f}"]
    result = subprocess.run(
        command, input=samples.astype("<f4").tobytes(), capture_output=True, check=True, timeout=TIMEOUT_SECONDS
    )
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


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
