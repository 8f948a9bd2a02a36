"""LoadModel's engine selection: AUTO tries Chatterbox and falls back to espeak loudly."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass

from ..errors import InvalidInput, NotLoaded, SidecarError
from . import torch_support
from .base import Engine
from .chatterbox import ChatterboxEngine
from .chatterbox_models import (
    VARIANTS,
    VOICE_CONVERSION,
    check_loadable,
    forbid_hub_access_unless,
    import_class,
    load_official,
)
from .espeak import EspeakEngine

log = logging.getLogger("chatterbox_sidecar.loader")

AUTO = "auto"
CHATTERBOX = "chatterbox"
ESPEAK = "espeak"


@dataclass(frozen=True)
class LoadSpec:
    """What LoadModel asked for, in plain values."""

    engine: str = AUTO
    variant: str = "english"
    device: str = "auto"
    models_dir: str = ""
    allow_download: bool = False


def load_engine(spec: LoadSpec) -> Engine:
    """Loads the engine `spec` names; AUTO means Chatterbox when it loads, else espeak with a warning."""
    if spec.engine == ESPEAK:
        return load_espeak()
    if spec.engine == CHATTERBOX:
        return load_chatterbox(spec)
    if spec.engine != AUTO:
        raise InvalidInput(f"unknown engine {spec.engine!r}", field="engine")
    try:
        return load_chatterbox(spec)
    except NotLoaded as error:
        reason = str(error)
    warning = (
        f"engine AUTO fell back to espeak-ng because Chatterbox could not load: {reason}. espeak-ng is "
        "formant synthesis moved toward the reference voice's pitch and formants by signal processing, "
        "not neural voice cloning"
    )
    log.warning(warning, extra={"fallback": ESPEAK})
    engine = load_espeak(also=f"Chatterbox could not load either: {reason}")
    engine.info.warnings.append(warning)
    return engine


def load_espeak(also: str = "") -> EspeakEngine:
    """The espeak engine; NotLoaded with the reason when espeak-ng is missing or broken."""
    try:
        return EspeakEngine()
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        log.error("espeak failed to load", exc_info=error)
        raise NotLoaded(f"espeak-ng failed to load: {error}" + (f"; {also}" if also else "")) from error


def load_chatterbox(spec: LoadSpec) -> ChatterboxEngine:
    """The official model for spec.variant plus ChatterboxVC; NotLoaded with the reason when it can't."""
    if spec.variant not in VARIANTS:
        raise InvalidInput(f"unknown chatterbox variant {spec.variant!r}", field="variant")
    forbid_hub_access_unless(spec.allow_download)
    files = VARIANTS[spec.variant]
    # Both fail fast, with the reason, before the slow torch import.
    check_loadable(files, spec.models_dir, spec.allow_download)
    import_class(files)
    device = torch_support.choose_device(spec.device, torch_support.available_accelerators())
    try:
        tts = load_official(files, spec.models_dir, device, spec.allow_download)
        vc, warnings = _load_voice_conversion(spec, tts, device)
        languages = _languages(spec.variant)
    except SidecarError:
        raise
    except Exception as error:
        log.error("chatterbox failed to load", exc_info=error, extra={"variant": spec.variant})
        # The exception's own text may name files of this machine, and the reason reaches the public health
        # report through ModelInfo.warnings: only its type goes there, the rest is in the log line above.
        raise NotLoaded(
            f"Chatterbox {spec.variant} failed to load ({type(error).__name__}); the sidecar log has the details"
        ) from error
    return ChatterboxEngine(spec.variant, tts, vc, device, languages, warnings)


def _load_voice_conversion(spec: LoadSpec, tts: object, device: str) -> tuple[object | None, list[str]]:
    vc_class = import_class(VOICE_CONVERSION)
    if spec.variant == "english":
        # ChatterboxVC needs only the S3Gen decoder, which the English model already holds: sharing it
        # saves about 1 GB. The built-in target voice is the decoder half of the built-in conditionals.
        builtin = tts.conds.gen if getattr(tts, "conds", None) is not None else None
        return vc_class(tts.s3gen, device, ref_dict=builtin), []
    try:
        return load_official(VOICE_CONVERSION, spec.models_dir, device, spec.allow_download), []
    except NotLoaded as error:
        warning = f"voice conversion is unavailable: {error}"
        log.warning(warning)
        return None, [warning]


def _languages(variant: str) -> list[str]:
    if variant != "multilingual":
        return ["en"]
    from chatterbox.mtl_tts import SUPPORTED_LANGUAGES

    return sorted(SUPPORTED_LANGUAGES)
