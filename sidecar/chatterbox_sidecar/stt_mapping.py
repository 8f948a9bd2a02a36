"""Speech recognition across the protobuf boundary: TranscribeRequest validated into a plan, and plain
results (stt/base.py) back into messages. Every problem is INVALID_ARGUMENT naming the field."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from .errors import InvalidInput, Reason
from .pb.chatterbox.v1 import speech_pb2 as pb
from .proto_mapping import decode_source, lookup
from .stt.base import TRANSCRIBE, TRANSLATE, End, Segment, Start, Stats, TranscriptionOptions
from .stt.recognizer import ModelListing, SpeechRecognizer
from .stt.transcription import TranscriptionPlan, whisper_input

TASKS = {
    pb.TRANSCRIPTION_TASK_UNSPECIFIED: TRANSCRIBE,
    pb.TRANSCRIPTION_TASK_TRANSCRIBE: TRANSCRIBE,
    pb.TRANSCRIPTION_TASK_TRANSLATE: TRANSLATE,
}
DEFAULT_BEAM_SIZE = 5  # faster-whisper's default; 0 asks for it
MAX_BEAM_SIZE = 10  # beyond it decoding slows down for no measurable gain
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def transcription_plan(
    request: pb.TranscribeRequest, recognizer: SpeechRecognizer, allowed_roots: Sequence[str]
) -> TranscriptionPlan:
    """The validated request. Cheap checks and the model choice come before the audio is decoded."""
    recognizer.check_ready()
    options = transcription_options(request, recognizer.languages())
    if not request.HasField("audio"):
        raise InvalidInput("audio is required: the speech to transcribe", field="audio")
    choice = recognizer.choose(options)
    audio = decode_source(request.audio, "audio", allowed_roots)
    return TranscriptionPlan(whisper_input(audio), options, choice)


def transcription_options(request: pb.TranscribeRequest, languages: frozenset[str]) -> TranscriptionOptions:
    return TranscriptionOptions(
        model=request.model.strip(),
        language=_language(request.language, languages),
        task=lookup(TASKS, request.task, "task"),
        word_timestamps=request.word_timestamps,
        prompt=request.prompt,
        temperature=_temperature(request),
        beam_size=_beam_size(request.beam_size),
    )


def response(events: Iterable[object]) -> pb.TranscribeResponse:
    """The unary response from every event of a finished transcription."""
    message = pb.TranscribeResponse()
    for event in events:
        if isinstance(event, Start):
            message.info.CopyFrom(start_message(event))
        elif isinstance(event, Segment):
            message.segments.append(segment_message(event))
        else:
            message.text = event.text
            message.stats.CopyFrom(stats_message(event.stats))
    return message


def stream_message(event: object) -> pb.TranscribeStreamResponse:
    if isinstance(event, Start):
        return pb.TranscribeStreamResponse(start=start_message(event))
    if isinstance(event, Segment):
        return pb.TranscribeStreamResponse(segment=segment_message(event))
    return pb.TranscribeStreamResponse(end=end_message(event))


def start_message(start: Start) -> pb.TranscriptionStart:
    return pb.TranscriptionStart(
        model=start.model,
        language=start.language,
        language_probability=start.language_probability,
        duration_seconds=start.duration_seconds,
        warnings=start.warnings,
        device=start.device,
    )


def segment_message(segment: Segment) -> pb.TranscriptSegment:
    return pb.TranscriptSegment(
        id=segment.id,
        start_seconds=segment.start,
        end_seconds=segment.end,
        text=segment.text,
        avg_logprob=segment.avg_logprob,
        no_speech_prob=segment.no_speech_prob,
        compression_ratio=segment.compression_ratio,
        temperature=segment.temperature,
        tokens=segment.tokens,
        words=[
            pb.TranscriptWord(start_seconds=w.start, end_seconds=w.end, word=w.word, probability=w.probability)
            for w in segment.words
        ],
        seek=segment.seek,
    )


def end_message(end: End) -> pb.TranscriptionEnd:
    return pb.TranscriptionEnd(text=end.text, stats=stats_message(end.stats))


def stats_message(stats: Stats) -> pb.TranscriptionStats:
    return pb.TranscriptionStats(
        queue_wait_ms=stats.queue_wait_ms, load_ms=stats.load_ms, processing_ms=stats.processing_ms
    )


def models_response(listing: ModelListing) -> pb.ListTranscriptionModelsResponse:
    return pb.ListTranscriptionModelsResponse(
        available=listing.available,
        engine_version=listing.engine_version,
        models=[
            pb.TranscriptionModel(
                name=model.entry.name,
                installed=model.installed,
                multilingual=model.entry.multilingual,
                loaded=model.loaded,
                size_bytes=model.entry.size_bytes if model.installed else 0,
            )
            for model in listing.models
        ],
        default_model=listing.default_model,
        memory_budget_mb=listing.memory_budget_mb,
    )


def _language(code: str, languages: frozenset[str]) -> str:
    language = code.strip().lower()
    if language and (not LANGUAGE_CODE.fullmatch(language) or language not in languages):
        raise InvalidInput(
            f"language must be a language code Whisper knows (ISO 639-1, such as en or fr), or empty to detect "
            f"it; got {code!r}",
            reason=Reason.UNSUPPORTED_LANGUAGE,
            field="language",
        )
    return language


def _temperature(request: pb.TranscribeRequest) -> float | None:
    if not request.HasField("temperature"):
        return None
    value = request.temperature
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"temperature must be between 0 and 1, got {value:g}", field="temperature")
    return float(value)


def _beam_size(value: int) -> int:
    if value > MAX_BEAM_SIZE:
        raise InvalidInput(
            f"beam_size must be at most {MAX_BEAM_SIZE} (0 = {DEFAULT_BEAM_SIZE}), got {value}", field="beam_size"
        )
    return value or DEFAULT_BEAM_SIZE
