"""The chatterbox engine: an adapter over Resemble AI's official classes (ChatterboxTTS,
ChatterboxMultilingualTTS, ChatterboxTurboTTS and ChatterboxVC).

The official model objects are stateful (`generate` reads and may rewrite `self.conds`), which is fine
because the inference worker serializes every call. Voice conditionals are cached per
(variant, sha256 of the reference audio) on the CPU and copied to the device for each use. Only the
parameters the caller set are passed, so the official defaults stay authoritative. A conversion's pitch
shift is applied to the target reference (WORLD, formants kept) before ChatterboxVC embeds it.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import logging
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from .. import pcm, voice_shift
from ..errors import InvalidInput, OutOfMemory, WrongKind
from . import torch_support
from .base import Audio, Conversion, EngineInfo, GenerationParams, SegmentRequest
from .conds_cache import ConditionalsCache

log = logging.getLogger("chatterbox_sidecar.chatterbox")

SAMPLE_RATE = 24000
CACHED_VOICES = 8
TURBO_MIN_REFERENCE_SECONDS = 5.0
TURBO_IGNORES = ("exaggeration", "cfg_weight", "min_p")
TURBO_ONLY = ("top_k",)
CLONING_METHOD = "neural voice cloning (Chatterbox)"
CONVERSION_METHOD = "neural voice conversion (ChatterboxVC)"


class ChatterboxEngine:
    """Engine over loaded official model objects; built by engines.loader.load_chatterbox."""

    def __init__(self, variant: str, tts: Any, vc: Any | None, device: str, languages: list[str], warnings: list[str]):
        self._variant = variant
        self._tts = tts
        self._vc = vc
        self._device = device
        self._tts_cache = ConditionalsCache(CACHED_VOICES, move_conditionals)
        self._vc_cache = ConditionalsCache(CACHED_VOICES, move_tensors)
        # Kept on the CPU because the model's own `conds` is replaced by each request's voice.
        self._builtin_conds = move_conditionals(tts.conds, "cpu") if tts.conds is not None else None
        self._builtin_target = move_tensors(vc.ref_dict, "cpu") if vc is not None and vc.ref_dict is not None else None
        self.info = EngineInfo(
            engine="chatterbox",
            variant=variant,
            device=device,
            sample_rate=int(getattr(tts, "sr", SAMPLE_RATE)),
            languages=languages,
            voice_conversion=vc is not None,
            watermarked=True,  # the official generate() always applies the Perth watermark
            engine_version=f"chatterbox-tts {_package_version()}",
            warnings=list(warnings),
            voice_method=CLONING_METHOD + (f"; {CONVERSION_METHOD}" if vc is not None else ""),
        )

    def ignored_parameters(self, params: GenerationParams) -> list[str]:
        """Turbo ignores exaggeration, cfg_weight and min_p; only Turbo takes top_k."""
        set_names = params.set_fields()
        return [name for name in self._skipped_parameters() if name in set_names]

    def _skipped_parameters(self) -> tuple[str, ...]:
        return TURBO_IGNORES if self._variant == "turbo" else TURBO_ONLY

    def voice_method(self, voice: Audio | None) -> str:
        """A reference voice is cloned by the model itself."""
        return "" if voice is None else CLONING_METHOD

    def synthesize(self, request: SegmentRequest) -> np.ndarray:
        """Speaks one segment with the official generate(); returns float32 at 24 kHz."""
        self._tts.conds = self._conditionals(request.voice)
        with self._out_of_memory_guard():
            wav = self._tts.generate(request.text, **self._generate_arguments(request))
        return torch_support.to_mono_float32(wav)

    def convert(self, source: Audio, target: Audio | None, pitch_shift_semitones: float = 0.0) -> Conversion:
        """Voice conversion with the official ChatterboxVC, toward a target moved by the pitch shift."""
        if self._vc is None:
            raise WrongKind("voice conversion is not available: the ChatterboxVC weights were not loaded")
        self._vc.ref_dict = self._target_voice(target, pitch_shift_semitones)
        with tempfile.TemporaryDirectory(prefix="chatterbox-vc-") as workdir:
            source_path = _write_wav(source, Path(workdir) / "source.wav")
            with self._out_of_memory_guard():
                wav = self._vc.generate(str(source_path))
        samples = torch_support.to_mono_float32(wav)
        if target is None and pitch_shift_semitones:
            return self._shift_output(samples, pitch_shift_semitones)
        method = "" if target is None else CONVERSION_METHOD + _shift_note(pitch_shift_semitones)
        return Conversion(samples, method)

    def close(self) -> None:
        """Drops the model objects and cached voices so the device memory can be reclaimed."""
        self._tts = self._vc = None
        self._tts_cache.clear()
        self._vc_cache.clear()
        torch_support.release_device_memory()

    def _generate_arguments(self, request: SegmentRequest) -> dict[str, Any]:
        skipped = self._skipped_parameters()
        arguments = {k: v for k, v in request.params.set_fields().items() if k not in skipped}
        if self._variant == "multilingual":
            arguments["language_id"] = request.language
        return arguments

    def _conditionals(self, voice: Audio | None) -> Any:
        if voice is None:
            if self._builtin_conds is None:
                raise WrongKind("this model has no built-in voice (conds.pt is missing); send a reference voice")
            return _on_device(self._builtin_conds, self._device, move_conditionals)
        if self._variant == "turbo" and voice.duration_seconds <= TURBO_MIN_REFERENCE_SECONDS:
            raise InvalidInput(
                f"the turbo model needs a reference voice longer than 5 s (got {voice.duration_seconds:.1f} s)",
                field="input.voice",
            )
        return self._tts_cache.get_on_device((self._variant, voice.sha256), self._device, lambda: self._prepare(voice))

    def _prepare(self, voice: Audio) -> Any:
        self._use_as_file(voice, self._tts.prepare_conditionals)
        return self._tts.conds

    def _target_voice(self, target: Audio | None, semitones: float) -> Any:
        if target is None:
            if self._builtin_target is None:
                raise WrongKind(
                    "the voice-conversion model has no built-in voice (conds.pt is missing); send a target voice"
                )
            return _on_device(self._builtin_target, self._device, move_tensors)
        return self._vc_cache.get_on_device(
            ("vc", target.sha256, semitones), self._device, lambda: self._embed_target(_shifted(target, semitones))
        )

    def _embed_target(self, target: Audio) -> Any:
        self._use_as_file(target, self._vc.set_target_voice)
        return self._vc.ref_dict

    def _shift_output(self, samples: np.ndarray, semitones: float) -> Conversion:
        """The built-in target is an embedding with no audio to shift, so the converted output is shifted."""
        shifted = voice_shift.shift_pitch(samples, self.info.sample_rate, semitones)
        if shifted is None:
            warning = "the converted audio has no voiced speech, so the pitch shift was not applied"
            return Conversion(samples, "", [warning])
        warning = "the built-in target voice has no audio to shift, so the converted output's pitch was shifted"
        return Conversion(pcm.resample(shifted, voice_shift.RATE, self.info.sample_rate), "", [warning])

    def _use_as_file(self, voice: Audio, model_method: Callable[[str], None]) -> None:
        """The official API takes voices by path: hand it a temporary WAV, guarding against OOM."""
        with tempfile.TemporaryDirectory(prefix="chatterbox-voice-") as workdir:
            path = _write_wav(voice, Path(workdir) / "voice.wav")
            with self._out_of_memory_guard():
                model_method(str(path))

    @contextlib.contextmanager
    def _out_of_memory_guard(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if not torch_support.is_out_of_memory(error):
                raise
            # Cached voices are the memory we can give back; the next request rebuilds what it needs.
            self._tts_cache.clear()
            self._vc_cache.clear()
            torch_support.release_device_memory()
            raise OutOfMemory(f"{self._device} ran out of memory; retry later or with shorter input") from error


def move_conditionals(conds: Any, device: str) -> Any:
    """Official Conditionals, detached from autograd and moved (in place, as its `to` does) to `device`."""
    return torch_support.detach_tensors(conds).to(device)


def move_tensors(values: dict[str, Any], device: str) -> dict[str, Any]:
    """A dict of tensors (S3Gen reference embedding), detached and moved to `device`."""
    detached = torch_support.detach_tensors(values)
    return {key: value.to(device) if hasattr(value, "to") else value for key, value in detached.items()}


def _on_device(value: Any, device: str, move: Callable[[Any, str], Any]) -> Any:
    return move(copy.deepcopy(value), device)


def _shifted(target: Audio, semitones: float) -> Audio:
    """The target reference moved by `semitones`, formants kept (what ChatterboxVC then embeds)."""
    if not semitones:
        return target
    shifted = voice_shift.shift_pitch(target.samples, target.sample_rate, semitones)
    if shifted is None:
        raise InvalidInput("target_voice has no voiced speech whose pitch could be shifted", field="target_voice")
    return Audio(shifted, voice_shift.RATE, target.sha256)


def _shift_note(semitones: float) -> str:
    if not semitones:
        return ""
    return f", toward the target moved {semitones:+g} semitones (WORLD vocoder, formants kept)"


def _write_wav(audio: Audio, path: Path) -> Path:
    # The official loaders take file paths (librosa.load), so decoded audio goes through a per-request
    # temp file; float WAV keeps it lossless.
    soundfile.write(str(path), audio.samples, audio.sample_rate, subtype="FLOAT")
    return path


def _package_version() -> str:
    try:
        return importlib.metadata.version("chatterbox-tts")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
