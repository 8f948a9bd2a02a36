"""Validation of SynthesisInput against the engine it names, and of ConvertRequest's pitch shift; every
problem is INVALID_ARGUMENT with a message, and ErrorInfo metadata, that name the field."""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import stretch
from .engines.base import EngineInfo, GenerationParams
from .errors import InvalidInput, Reason
from .pb.chatterbox.v1 import speech_pb2 as pb
from .proto_mapping import ENCODINGS, ENGINES, STRETCH_LIBRARIES, decode_source, lookup
from .synthesis import Segment, SynthesisPlan

# Inclusive ranges; temperature must also be above 0 (it divides the logits).
FLOAT_RANGES: dict[str, tuple[float, float]] = {
    "exaggeration": (0.0, 2.0),
    "cfg_weight": (0.0, 2.0),
    "temperature": (0.0, 5.0),
    "repetition_penalty": (1.0, 10.0),
    "min_p": (0.0, 1.0),
    "top_p": (0.0, 1.0),
}
MAX_TOP_K = 10000
# An octave either way: beyond it even formant-preserving shifts stop sounding like a human voice.
MAX_PITCH_SHIFT_SEMITONES = 12.0


def synthesis_plan(
    message: pb.SynthesisInput, info: EngineInfo, allowed_roots: Sequence[str], chunk_ms: int = 0
) -> tuple[SynthesisPlan, str]:
    """The validated plan and the output encoding; `info` is the requested engine's (requested_engine()).
    Cheap checks run before the voice is decoded."""
    segments = _segments(message, info.max_segment_chars)
    language = _language(message.language, info)
    speed = message.speed if message.HasField("speed") else 1.0
    stretch.validate_speed(speed, "input.speed")
    library = lookup(STRETCH_LIBRARIES, message.stretch_library, "input.stretch_library")
    encoding = lookup(ENCODINGS, message.encoding, "input.encoding")
    params = generation_params(message.params)
    voice = decode_source(message.voice, "input.voice", allowed_roots) if message.HasField("voice") else None
    chunk_samples = info.sample_rate * chunk_ms // 1000
    plan = SynthesisPlan(
        segments, language, voice, params, speed, library, chunk_samples, engine=requested_engine(message)
    )
    return plan, encoding


def requested_engine(message: pb.SynthesisInput) -> str | None:
    """SynthesisInput.engine as EngineSet.select takes it: None for UNSPECIFIED (the default engine)."""
    if message.engine == pb.ENGINE_UNSPECIFIED:
        return None
    return lookup(ENGINES, message.engine, "input.engine")


def generation_params(message: pb.GenerationParams) -> GenerationParams:
    """The set fields of GenerationParams, range-checked."""
    values: dict[str, float | int] = {}
    for name, (low, high) in FLOAT_RANGES.items():
        if message.HasField(name):
            value = getattr(message, name)
            if not math.isfinite(value) or not low <= value <= high or (name == "temperature" and value <= 0):
                lower = "above 0" if name == "temperature" else f"at least {low:g}"
                field = f"input.params.{name}"
                raise InvalidInput(f"{field} must be {lower} and at most {high:g}, got {value:g}", field=field)
            values[name] = float(value)
    if message.HasField("top_k"):
        if not 1 <= message.top_k <= MAX_TOP_K:
            field = "input.params.top_k"
            raise InvalidInput(f"{field} must be between 1 and {MAX_TOP_K}, got {message.top_k}", field=field)
        values["top_k"] = int(message.top_k)
    return GenerationParams(**values)


def pitch_shift_semitones(message: pb.ConvertRequest) -> float:
    """ConvertRequest.pitch_shift_semitones, 0 when unset; -12 to 12."""
    if not message.HasField("pitch_shift_semitones"):
        return 0.0
    value = message.pitch_shift_semitones
    if not math.isfinite(value) or abs(value) > MAX_PITCH_SHIFT_SEMITONES:
        limit = MAX_PITCH_SHIFT_SEMITONES
        raise InvalidInput(
            f"pitch_shift_semitones must be between {-limit:g} and {limit:g}, got {value:g}",
            field="pitch_shift_semitones",
        )
    return float(value)


def _segments(message: pb.SynthesisInput, max_chars: int) -> list[Segment]:
    if not message.segments:
        raise InvalidInput(
            "input.segments is empty: send at least one segment of text",
            reason=Reason.NO_SEGMENTS,
            field="input.segments",
        )
    segments = []
    for index, segment in enumerate(message.segments):
        field = f"input.segments[{index}].text"
        if not segment.text.strip():
            raise InvalidInput(f"{field} is blank", reason=Reason.SEGMENT_BLANK, field=field)
        if len(segment.text) > max_chars:
            raise InvalidInput(
                f"{field} has {len(segment.text)} characters; the limit is {max_chars} "
                "(split the text into shorter segments)",
                reason=Reason.SEGMENT_TOO_LONG,
                field=field,
                limit=max_chars,
            )
        segments.append(Segment(segment.text, segment.seed if segment.HasField("seed") else None))
    return segments


def _language(code: str, info: EngineInfo) -> str:
    language = (code or "en").strip().lower()
    if language not in info.languages:
        raise InvalidInput(
            f"language {language!r} is not supported by the loaded {info.engine} engine; "
            f"supported: {', '.join(info.languages)}",
            reason=Reason.UNSUPPORTED_LANGUAGE,
            field="input.language",
        )
    return language
