"""LoadModel's engines: the default one (AUTO tries Chatterbox, then Piper, then espeak, each fallback loudly),
then the others asked for, each only when it loads and fits the memory budget."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass

from ..errors import InvalidInput, NotLoaded, SidecarError
from . import piper, torch_support
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
from .engine_set import AUTO, CHATTERBOX, ESPEAK, PIPER, PREFERENCE, EngineSet
from .espeak import EspeakEngine
from .memory import measured

log = logging.getLogger("chatterbox_sidecar.loader")

NOT_CLONING = "a reference voice moves its pitch and formants by signal processing, not neural voice cloning"


@dataclass(frozen=True)
class LoadSpec:
    """What LoadModel asked for, in plain values. Hashable: the worker compares specs to stay idempotent."""

    engine: str = AUTO
    variant: str = "english"
    device: str = "auto"
    models_dir: str = ""
    allow_download: bool = False
    piper_voice: str = ""  # a voice in <models_dir>/piper/; "" = the first installed
    engines: tuple[str, ...] = ()  # engines to hold beside the default one, in this order
    memory_budget_mb: int = 0  # what all loaded engines may take together (EngineInfo.memory_mb); 0 = no limit

    def __post_init__(self) -> None:
        # Checked when the request is read, before anything is unloaded to make room.
        for name in self.engines:
            if name not in PREFERENCE:
                raise InvalidInput(
                    f"engines may name only {', '.join(PREFERENCE)}, not {name!r}: auto picks the default engine only",
                    field="engines",
                )


def load_engines(spec: LoadSpec) -> EngineSet:
    """The default engine (see _load_default), whatever its size (its failure is the caller's), then
    each engine of spec.engines that loads and fits spec.memory_budget_mb; the others go to `unavailable`."""
    failures: dict[str, str] = {}
    engines = EngineSet(measured(lambda: _load_default(spec, failures)))
    try:
        for name in dict.fromkeys(spec.engines):
            if name not in engines.names:
                _add_extra(engines, name, spec, failures)
    except BaseException:
        engines.close()
        raise
    return engines


def _add_extra(engines: EngineSet, name: str, spec: LoadSpec, failures: dict[str, str]) -> None:
    try:
        engine = _load_extra(name, spec, failures, engines.memory_mb)
    except NotLoaded as error:
        engines.unavailable.append((name, str(error)))
        log.warning(f"engine {name} is not loaded: {error}", extra={"engine": name})
        return
    engines.add(engine)
    log.info("engine loaded beside the default", extra={"engine": name, "memory_mb": engine.info.memory_mb})


def _load_extra(name: str, spec: LoadSpec, failures: dict[str, str], loaded_mb: int) -> Engine:
    """The engine `name`, or NotLoaded with the reason: it failed to load (now, or already as an AUTO
    fallback, which is not tried twice), or it took the loaded engines past the memory budget."""
    if name in failures:
        raise NotLoaded(failures[name])
    engine = measured(lambda: _load_named(name, spec))
    budget, took = spec.memory_budget_mb, engine.info.memory_mb
    if budget > 0 and loaded_mb + took > budget:
        engine.close()
        raise NotLoaded(
            f"took {took} MiB; with the engines already loaded ({loaded_mb} MiB) that is over the memory budget "
            f"of {budget} MiB (inference.memory_budget_mb)"
        )
    return engine


def _load_named(name: str, spec: LoadSpec) -> Engine:
    if name == ESPEAK:
        return load_espeak()
    if name == CHATTERBOX:
        return load_chatterbox(spec)
    if name == PIPER:
        return load_piper(spec)
    raise InvalidInput(f"unknown engine {name!r}", field="engine")


def _load_default(spec: LoadSpec, failures: dict[str, str]) -> Engine:
    """The engine `spec` names; AUTO: Chatterbox when it loads, else Piper, else espeak, with a warning. Records in
    `failures` why each engine AUTO tried before the one it loaded failed."""
    if spec.engine != AUTO:
        return _load_named(spec.engine, spec)
    try:
        return load_chatterbox(spec)
    except NotLoaded as error:
        failures[CHATTERBOX] = str(error)
    try:
        engine: Engine = load_piper(spec)
    except NotLoaded as error:
        failures[PIPER] = str(error)
        return _espeak_fallback(failures[CHATTERBOX], failures[PIPER])
    return _piper_fallback(engine, failures[CHATTERBOX])


def _piper_fallback(engine: Engine, chatterbox_reason: str) -> Engine:
    warning = (
        f"engine AUTO fell back to Piper because Chatterbox could not load: {chatterbox_reason}. Piper is "
        f"CPU neural text-to-speech in one voice ({engine.info.voice_name}); {NOT_CLONING}"
    )
    log.warning(warning, extra={"fallback": PIPER})
    engine.info.warnings.insert(0, warning)
    return engine


def _espeak_fallback(chatterbox_reason: str, piper_reason: str) -> Engine:
    reasons = f"Chatterbox could not load: {chatterbox_reason}; Piper could not load: {piper_reason}"
    warning = f"engine AUTO fell back to espeak-ng because {reasons}. espeak-ng is formant synthesis, and {NOT_CLONING}"
    log.warning(warning, extra={"fallback": ESPEAK})
    engine = load_espeak(also=f"neither could Chatterbox ({chatterbox_reason}) nor Piper ({piper_reason})")
    engine.info.warnings.append(warning)
    return engine


def load_piper(spec: LoadSpec) -> piper.PiperEngine:
    """The Piper voice spec.piper_voice ("" = the first installed); NotLoaded with the reason when it can't.

    piper-tts (GPL-3, optional) is imported only here, when a voice is loaded."""
    try:
        return piper.load(spec.models_dir, spec.piper_voice, spec.allow_download)
    except SidecarError:
        raise
    except Exception as error:
        log.error("piper failed to load", exc_info=error, extra={"voice": spec.piper_voice})
        # As for Chatterbox: the reason reaches the public health report, so only the error's type goes there.
        raise NotLoaded(
            f"Piper voice {spec.piper_voice or '(first installed)'} failed to load ({type(error).__name__}); "
            "the sidecar log has the details"
        ) from error


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
