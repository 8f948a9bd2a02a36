"""The piper engine: CPU neural text-to-speech (VITS on ONNX runtime) through piper-tts, one voice per load.

Voices are a model and its config, `<name>.onnx` and `<name>.onnx.json`, in `<models_dir>/piper/<name>/`
(where `npm install` puts the offline packs of models/packs.json, with a manifest.json) or directly in
`<models_dir>/piper/`. piper-tts is GPL-3.0-or-later and an optional install (sidecar/requirements-piper.txt).

How requests map onto Piper, honestly:
- Determinism: the graph draws its own Gaussian noise (RandomNormalLike nodes), which no API can seed. Both
  noise scales are 0, which multiplies that noise away, so the same request always gives the same samples.
  A seed therefore has nothing left to choose: every seed gives the same bytes (equal seeds included), so
  EngineInfo.uses_seed is False and a seed that was set is named in ignored_parameters like the rest.
- The sampling parameters (temperature, exaggeration, cfg_weight, min_p, top_p, top_k, repetition_penalty)
  have no counterpart once the noise is off: ignored_parameters names every one that was set.
- Speed is Piper's length scale, searched so the duration really is 1/speed of the speed-1 rendering.
  length_scale = 1/speed alone misses (measured: 0.5 gives 0.61-0.64 of the duration, 2.0 gives 1.67-1.87),
  because durations are rounded up to whole frames and the blank tokens between phonemes keep at least one;
  for the same reason speech cannot get much faster than about 1.7x, so NATIVE_SPEED_RANGE stops at 1.5 and
  synthesis.py time-stretches what lies beyond. The search lands within 1 % after 1-5 renderings besides
  the speed-1 one (2.5 on average), so a speed other than 1 costs 3-4 times the synthesis time of speed 1.
- Output: Piper's rate (22 050 Hz for most voices) resampled to 24 kHz with soxr.
- A reference voice moves the output's pitch and formants toward it with WORLD (signal_voice.py), measured
  against the voice's own profile from a calibration phrase at load: signal processing, not cloning.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import logging
import re
from typing import Any

import numpy as np

from .. import pcm
from ..errors import NotLoaded
from . import piper_voices, signal_voice
from .base import Audio, Conversion, EngineInfo, GenerationParams, SegmentRequest
from .espeak_voices import CALIBRATION_PHRASE
from .piper_voices import INSTALL_ADVICE, VoiceFiles
from .signal_voice import ENGINE_VOICE_METHOD, SAMPLE_RATE

log = logging.getLogger("chatterbox_sidecar.piper")

PACKAGE = "piper-tts"
_DOUBLED_OPEN = re.compile(r"\[(?=\[)")
_DOUBLED_CLOSE = re.compile(r"\](?=\])")
IGNORED_PARAMETERS = tuple(f.name for f in dataclasses.fields(GenerationParams))
# Speeds the length scale honours exactly (see the module docstring); synthesis.py stretches the rest.
NATIVE_SPEED_RANGE = (0.25, 1.5)
SPEED_TOLERANCE = 0.01  # relative length error at which the length-scale search stops
MAX_SPEED_PASSES = 5  # renderings in the search, after the speed-1 one that sets the target length
LENGTH_SCALE_LIMITS = (0.05, 8.0)
TTS_VOICE_METHOD = (
    "signal-level: the Piper voice's pitch and formants moved toward the reference (WORLD vocoder); not neural cloning"
)
UNVOICED_REFERENCE_METHOD = "none: the reference has no voiced speech, so the Piper voice spoke unchanged"


def load(models_dir: str, voice: str = "", allow_download: bool = False) -> PiperEngine:
    """The engine with `voice` ("" = the first installed); NotLoaded with the reason and what to do."""
    version = _package_version()
    files, warnings = piper_voices.choose(models_dir, voice, allow_download)
    return _open(files, version, warnings)


class PiperEngine:
    """Engine over one piper-tts voice (see the module docstring)."""

    def __init__(self, voice: Any, files: VoiceFiles, config: dict[str, Any], version: str, warnings: list[str]):
        self._voice = voice
        self._rate = int(voice.config.sample_rate)
        self._profiles = signal_voice.profile_cache()
        calibration = self._render(CALIBRATION_PHRASE, 1.0)
        self._builtin = signal_voice.builtin_profile(calibration, self._rate, f"Piper voice {files.name}")
        # The share of a rendering's length that the length scale does not move (durations rounded up to
        # whole frames, blanks of one frame): the search's first guess. Measured once, on the calibration phrase.
        halved = self._render(CALIBRATION_PHRASE, 0.5).size / max(calibration.size, 1)
        self._fixed_share = float(np.clip(2.0 * halved - 1.0, 0.0, 0.6))
        self.info = EngineInfo(
            engine="piper",
            variant=None,
            device="cpu",
            sample_rate=SAMPLE_RATE,
            languages=[_language(config)],
            voice_conversion=True,
            watermarked=False,
            engine_version=f"piper-tts {version}",
            warnings=warnings,
            voice_method=ENGINE_VOICE_METHOD,
            voice_name=files.name,
            voice_licence=piper_voices.licence(files, config),
            native_speed=True,
            native_speed_range=NATIVE_SPEED_RANGE,
            uses_seed=False,
        )
        log.info(
            "piper voice loaded",
            extra={"voice": files.name, "rate": self._rate, "fixed_share": round(self._fixed_share, 3)},
        )

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        """With the noise scales at 0 nothing is sampled, so every sampling control is ignored."""
        return [name for name in IGNORED_PARAMETERS if getattr(params, name) is not None]

    def voice_method(self, voice: Audio | None) -> str:
        return signal_voice.reference_method(self._profiles, voice, TTS_VOICE_METHOD, UNVOICED_REFERENCE_METHOD)

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        """Speaks one segment at request.speed, at 24 kHz, moved toward the reference voice when one is given.

        request.seed changes nothing (see the module docstring); synthesis.py reports it as ignored.
        """
        samples = pcm.resample(self._at_speed(_literal(request.text), request.speed), self._rate, SAMPLE_RATE)
        reference = self._profiles.get(request.voice) if request.voice is not None else None
        return samples if reference is None else signal_voice.toward(samples, self._builtin, reference)

    def convert(self, source: Audio, target: Audio | None, pitch_shift_semitones: float = 0.0) -> Conversion:
        """WORLD conversion toward the target; no target: toward the Piper voice's own profile."""
        return signal_voice.convert(source, target, pitch_shift_semitones, self._builtin, self._profiles)

    def close(self) -> None:
        """Drops the ONNX session; its memory goes with the last reference."""
        self._voice = None

    def _at_speed(self, text: str, speed: float) -> np.ndarray:
        """The rendering whose length is (speed-1 length) / speed within SPEED_TOLERANCE, or the closest found.

        The length is a monotonic step function of the length scale, flat in places (where every phoneme is
        already at its one-frame minimum) and steep in others, so the search keeps the closest scale on
        each side of the target and interpolates between them; until it has both, it extrapolates.
        """
        reference = self._render(text, 1.0)
        if speed == 1.0 or reference.size == 0:
            return reference
        target = reference.size / speed
        below: tuple[float, int] | None = None  # (scale, length) of the longest rendering shorter than target
        above: tuple[float, int] | None = None  # and of the shortest one longer than it
        best, best_scale = reference, 1.0
        # Length ~ fixed + (1 - fixed) x scale, in shares of the speed-1 length: the first guess.
        scale = _clamp_scale((1.0 / speed - self._fixed_share) / (1.0 - self._fixed_share))
        for _ in range(MAX_SPEED_PASSES):
            samples = self._render(text, scale)
            if abs(samples.size - target) < abs(best.size - target):
                best, best_scale = samples, scale
            if abs(samples.size / target - 1.0) <= SPEED_TOLERANCE:
                break
            if samples.size < target:
                below = (scale, samples.size)
            else:
                above = (scale, samples.size)
            following = _next_scale(scale, samples.size, target, below, above)
            if following == scale:  # at a limit of the scale: the length cannot move further this way
                break
            scale = following
        log.debug("piper speed", extra={"speed": speed, "length_scale": best_scale, "error": best.size / target - 1})
        return best

    def _render(self, text: str, length_scale: float) -> np.ndarray:
        """Piper's float samples at its own rate, sentences joined (each ends in the voice's own pause)."""
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=length_scale,
            noise_scale=0.0,
            noise_w_scale=0.0,
            # Piper would scale every sentence to full scale on its own; the model's level is kept instead.
            normalize_audio=False,
        )
        chunks = [chunk.audio_float_array for chunk in self._voice.synthesize(text, config)]
        return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)


def _open(files: VoiceFiles, version: str, warnings: list[str]) -> PiperEngine:
    from piper import PiperVoice

    log.info("loading piper voice", extra={"voice": files.name, "model": str(files.model)})
    config = json.loads(files.config.read_text(encoding="utf-8"))
    voice = PiperVoice.load(files.model, config_path=files.config)
    return PiperEngine(voice, files, config, version, warnings)


def _package_version() -> str:
    try:
        import piper  # noqa: F401  (checks that it imports, not just that it is installed)

        return importlib.metadata.version(PACKAGE)
    except ModuleNotFoundError as error:
        if error.name not in ("piper", PACKAGE):  # installed, but something it needs is not
            log.error("piper-tts failed to import", exc_info=error)
            raise NotLoaded(
                f"piper-tts failed to import ({type(error).__name__}: {error.name} is missing); {INSTALL_ADVICE}"
            ) from error
        raise NotLoaded(f"piper-tts is not installed in the sidecar's Python; {INSTALL_ADVICE}") from error
    except ImportError as error:
        # Its text may name files of this machine, and the reason reaches the public health report.
        log.error("piper-tts failed to import", exc_info=error)
        raise NotLoaded(
            f"piper-tts failed to import ({type(error).__name__}); the sidecar log has the details; {INSTALL_ADVICE}"
        ) from error


def _language(config: dict[str, Any]) -> str:
    """The voice's language as the API names languages: "en" for en_US."""
    language = config.get("language") or {}
    code = language.get("family") or language.get("code") or config.get("espeak", {}).get("voice", "en")
    return re.split(r"[-_]", str(code))[0].lower()


def _literal(text: str) -> str:
    """Text as words only: piper reads [[ ... ]] as raw phonemes, so doubled brackets are pulled apart."""
    return _DOUBLED_CLOSE.sub("] ", _DOUBLED_OPEN.sub("[ ", text))


def _next_scale(
    scale: float, length: int, target: float, below: tuple[float, int] | None, above: tuple[float, int] | None
) -> float:
    """The next length scale to try: inside the bracket once both sides are known, else a step outward."""
    if below is not None and above is not None:
        (low, short), (high, long) = below, above
        guess = low + (target - short) * (high - low) / max(long - short, 1)
        # Never at the bracket's very ends, which a flat stretch would otherwise keep returning.
        margin = 0.15 * (high - low)
        return float(min(max(guess, low + margin), high - margin))
    # Proportional, plus a little more: a flat stretch would make a proportional step fall short.
    ratio = target / max(length, 1)
    return _clamp_scale(scale * ratio**1.5)


def _clamp_scale(scale: float) -> float:
    low, high = LENGTH_SCALE_LIMITS
    return float(min(max(scale, low), high))
