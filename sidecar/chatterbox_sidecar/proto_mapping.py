"""Conversions between protobuf messages and the plain values the worker and engines use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

from . import audio_input, pcm, stretch
from .engines.base import Audio, EngineInfo
from .engines.engine_set import EngineSet
from .engines.loader import LoadSpec
from .errors import InvalidInput
from .pb.chatterbox.v1 import speech_pb2 as pb
from .synthesis import Stats
from .worker import BUSY, DRAINING, EMPTY, LOADING, READY

T = TypeVar("T")

MAX_PCM_CHANNELS = 8

ENGINES = {
    pb.ENGINE_UNSPECIFIED: "auto",
    pb.ENGINE_AUTO: "auto",
    pb.ENGINE_CHATTERBOX: "chatterbox",
    pb.ENGINE_ESPEAK: "espeak",
    pb.ENGINE_PIPER: "piper",
}
ENGINE_ENUMS = {"chatterbox": pb.ENGINE_CHATTERBOX, "espeak": pb.ENGINE_ESPEAK, "piper": pb.ENGINE_PIPER}
VARIANTS = {
    pb.CHATTERBOX_VARIANT_UNSPECIFIED: "english",
    pb.CHATTERBOX_VARIANT_ENGLISH: "english",
    pb.CHATTERBOX_VARIANT_MULTILINGUAL: "multilingual",
    pb.CHATTERBOX_VARIANT_TURBO: "turbo",
}
VARIANT_ENUMS = {
    "english": pb.CHATTERBOX_VARIANT_ENGLISH,
    "multilingual": pb.CHATTERBOX_VARIANT_MULTILINGUAL,
    "turbo": pb.CHATTERBOX_VARIANT_TURBO,
}
ENCODINGS = {
    pb.AUDIO_ENCODING_UNSPECIFIED: pcm.F32LE,
    pb.AUDIO_ENCODING_PCM_F32LE: pcm.F32LE,
    pb.AUDIO_ENCODING_PCM_S16LE: pcm.S16LE,
}
ENCODING_ENUMS = {pcm.F32LE: pb.AUDIO_ENCODING_PCM_F32LE, pcm.S16LE: pb.AUDIO_ENCODING_PCM_S16LE}
STRETCH_LIBRARIES = {
    pb.STRETCH_LIBRARY_UNSPECIFIED: stretch.AUTO,
    pb.STRETCH_LIBRARY_AUTO: stretch.AUTO,
    pb.STRETCH_LIBRARY_AUDIOSTRETCHY: stretch.AUDIOSTRETCHY,
    pb.STRETCH_LIBRARY_SOX: stretch.SOX,
    pb.STRETCH_LIBRARY_LIBROSA: stretch.LIBROSA,
    pb.STRETCH_LIBRARY_TORCHAUDIO: stretch.TORCHAUDIO,
}
STRETCH_LIBRARY_ENUMS = {
    name: value for value, name in STRETCH_LIBRARIES.items() if value != pb.STRETCH_LIBRARY_UNSPECIFIED
}
STATES = {
    EMPTY: pb.GetStatusResponse.STATE_EMPTY,
    LOADING: pb.GetStatusResponse.STATE_LOADING,
    READY: pb.GetStatusResponse.STATE_READY,
    BUSY: pb.GetStatusResponse.STATE_BUSY,
    DRAINING: pb.GetStatusResponse.STATE_DRAINING,
}


def lookup(table: Mapping[int, T], value: int, field: str) -> T:
    """Enum value to plain value; an enum number this sidecar does not know is INVALID_ARGUMENT."""
    if value not in table:
        raise InvalidInput(f"{field} has an unknown value {value}", field=field)
    return table[value]


def audio_format(encoding: str, sample_rate: int) -> pb.AudioFormat:
    return pb.AudioFormat(encoding=ENCODING_ENUMS[encoding], sample_rate_hz=sample_rate, channels=1)


def pcm_audio(samples: np.ndarray, encoding: str, sample_rate: int) -> pb.PcmAudio:
    return pb.PcmAudio(format=audio_format(encoding, sample_rate), data=pcm.encode(samples, encoding))


def decode_source(source: pb.AudioSource, field: str, allowed_roots: Sequence[str]) -> Audio:
    """An AudioSource (path, file bytes or PCM) as decoded mono audio; errors name `field` and its member."""
    kind = source.WhichOneof("source")
    if kind == "path":
        return audio_input.from_path(source.path, allowed_roots, f"{field}.path")
    if kind == "file_bytes":
        return audio_input.from_file_bytes(source.file_bytes, f"{field}.file_bytes")
    if kind == "pcm":
        return decode_pcm(source.pcm, f"{field}.pcm")
    raise InvalidInput(f"{field} is empty: set path, file_bytes or pcm", field=field)


def decode_pcm(message: pb.PcmAudio, field: str) -> Audio:
    pcm_format = message.format
    if pcm_format.channels > MAX_PCM_CHANNELS:
        raise InvalidInput(
            f"{field}.format.channels must be at most {MAX_PCM_CHANNELS}",
            field=f"{field}.format.channels",
            limit=MAX_PCM_CHANNELS,
        )
    encoding = lookup(ENCODINGS, pcm_format.encoding, f"{field}.format.encoding")
    return audio_input.from_pcm(message.data, encoding, pcm_format.sample_rate_hz, pcm_format.channels or 1, field)


def model_info(info: EngineInfo) -> pb.ModelInfo:
    return pb.ModelInfo(
        engine=ENGINE_ENUMS[info.engine],
        variant=VARIANT_ENUMS.get(info.variant or "", pb.CHATTERBOX_VARIANT_UNSPECIFIED),
        device=info.device,
        sample_rate_hz=info.sample_rate,
        max_segment_chars=info.max_segment_chars,
        languages=info.languages,
        voice_conversion=info.voice_conversion,
        watermarked=info.watermarked,
        engine_version=info.engine_version,
        stretch_libraries=[STRETCH_LIBRARY_ENUMS[name] for name in stretch.available_libraries()],
        warnings=info.warnings,
        voice_method=info.voice_method,
        voice_name=info.voice_name,
        voice_licence=info.voice_licence,
        memory_mb=info.memory_mb,
    )


def loaded_fields(engines: EngineSet) -> dict[str, object]:
    """The fields GetModelInfoResponse and LoadModelResponse share: `model`, `engines`, `unavailable`."""
    return {
        "model": model_info(engines.default.info),
        "engines": [model_info(info) for info in engines.infos()],
        "unavailable": [
            pb.UnavailableEngine(engine=ENGINE_ENUMS[name], reason=why) for name, why in engines.unavailable
        ],
    }


def load_spec(request: pb.LoadModelRequest) -> LoadSpec:
    return LoadSpec(
        engine=lookup(ENGINES, request.engine, "engine"),
        variant=lookup(VARIANTS, request.variant, "variant"),
        device=request.device or "auto",
        models_dir=request.models_dir,
        allow_download=request.allow_download,
        piper_voice=request.piper_voice,
        # AUTO and UNSPECIFIED map to "auto" here, which LoadSpec refuses.
        engines=tuple(lookup(ENGINES, value, "engines") for value in request.engines),
        memory_budget_mb=request.memory_budget_mb,
    )


def stats_message(stats: Stats) -> pb.SynthesisStats:
    return pb.SynthesisStats(
        queue_wait_ms=stats.queue_wait_ms,
        time_to_first_audio_ms=stats.time_to_first_audio_ms,
        generation_ms=stats.generation_ms,
        audio_samples=stats.audio_samples,
        watermarked=stats.watermarked,
        stretch_library=STRETCH_LIBRARY_ENUMS.get(stats.stretch_library or "", pb.STRETCH_LIBRARY_UNSPECIFIED),
        ignored_parameters=stats.ignored_parameters,
        voice_method=stats.voice_method,
        stretch_ms=round(stats.stretch_ms, 1),
        warnings=stats.warnings,
    )
