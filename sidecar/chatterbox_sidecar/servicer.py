"""chatterbox.v1.SpeechService: translates protobuf to worker jobs and engine results back to protobuf.

No policy lives here beyond request shape: validation is in validation.py and stt_mapping.py, scheduling
in worker.py and rpc_jobs.py, the work itself in synthesis.py, the engines and stt/, and error statuses in
errors.py.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import grpc
import numpy as np

from . import call_metadata, rpc_jobs, stretch, stt_mapping, synthesis
from .admin import require_admin
from .channel import Channel
from .engines.base import EngineInfo
from .engines.engine_set import EngineSet
from .engines.loader import LoadSpec
from .errors import Draining, InvalidInput, Loading, NotLoaded, WrongKind
from .health import HealthReporter
from .pb.chatterbox.v1 import speech_pb2 as pb
from .pb.chatterbox.v1 import speech_pb2_grpc
from .proto_mapping import (
    ENCODINGS,
    ENGINE_ENUMS,
    STATES,
    STRETCH_LIBRARIES,
    STRETCH_LIBRARY_ENUMS,
    audio_format,
    decode_pcm,
    decode_source,
    load_spec,
    loaded_fields,
    lookup,
    pcm_audio,
    stats_message,
)
from .response_size import ResponseBudget
from .stt.recognizer import SpeechRecognizer
from .stt.transcription import TranscriptionPlan
from .synthesis import AudioPiece, JobTiming, Stats
from .validation import pitch_shift_semitones, requested_engine, synthesis_plan
from .worker import DRAINING, InferenceWorker, Job

log = logging.getLogger("chatterbox_sidecar.servicer")


@dataclass(frozen=True)
class ServicerOptions:
    """The parts of server.Settings the handlers need."""

    allowed_roots: Sequence[str]
    max_message_bytes: int
    admin_token: str | None  # None = LoadModel is open (a sidecar run by hand)
    load_engines: Callable[[LoadSpec], EngineSet]


class SpeechServicer(speech_pb2_grpc.SpeechServiceServicer):
    """The RPC handlers; see proto/chatterbox/v1/speech.proto for the contract."""

    def __init__(
        self, worker: InferenceWorker, recognizer: SpeechRecognizer, health: HealthReporter, options: ServicerOptions
    ) -> None:
        self._worker = worker
        self._recognizer = recognizer
        self._health = health
        self._options = options

    def GetModelInfo(self, request: pb.GetModelInfoRequest, context: grpc.ServicerContext) -> pb.GetModelInfoResponse:
        engines = self._worker.loaded_engines()
        if engines is None:
            raise NotLoaded("no engine is loaded yet")
        return pb.GetModelInfoResponse(**loaded_fields(engines))

    def LoadModel(self, request: pb.LoadModelRequest, context: grpc.ServicerContext) -> pb.LoadModelResponse:
        require_admin(context, self._options.admin_token)
        ids = call_metadata.log_ids(context)
        spec = load_spec(request)
        log.info("loading engine", extra={"spec": vars(spec), **ids})
        started = time.monotonic()
        self._health.engine_ready(False)
        try:
            engines = self._worker.load(spec, lambda: self._options.load_engines(spec))
        finally:
            self._health.engine_ready(self._worker.loaded_engines() is not None)
        _log_loaded(engines, int((time.monotonic() - started) * 1000), ids)
        return pb.LoadModelResponse(**loaded_fields(engines))

    def GetStatus(self, request: pb.GetStatusRequest, context: grpc.ServicerContext) -> pb.GetStatusResponse:
        status = self._worker.status()
        return pb.GetStatusResponse(
            state=STATES[status.state],
            queue_depth=status.queue_depth,
            queue_capacity=status.queue_capacity,
            running_request_id=status.running_request_id,
        )

    def Synthesize(self, request: pb.SynthesizeRequest, context: grpc.ServicerContext) -> pb.SynthesizeResponse:
        info = self._worker.engine_info(requested_engine(request.input))
        plan, encoding = synthesis_plan(request.input, info, self._options.allowed_roots)
        budget = ResponseBudget.for_message_limit(self._options.max_message_bytes, encoding, info.sample_rate)
        budget.check_text(sum(len(segment.text) for segment in plan.segments), plan.speed)
        pieces: list[np.ndarray] = []
        stats = Stats()
        for event in self._start_synthesis(dataclasses.replace(plan, budget=budget), info, context):
            if isinstance(event, AudioPiece):
                pieces.append(event.samples)
            else:
                stats = event
        audio = pcm_audio(np.concatenate(pieces), encoding, info.sample_rate)
        return pb.SynthesizeResponse(audio=audio, stats=stats_message(stats))

    def SynthesizeStream(
        self, request: pb.SynthesizeStreamRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.SynthesizeStreamResponse]:
        info = self._worker.engine_info(requested_engine(request.input))
        plan, encoding = synthesis_plan(request.input, info, self._options.allowed_roots, request.max_chunk_ms)
        # Admission happens before `start` is sent, so a full queue is a clean error with no partial stream.
        events = self._start_synthesis(plan, info, context)
        yield pb.SynthesizeStreamResponse(
            start=pb.StreamStart(
                format=audio_format(encoding, info.sample_rate),
                segment_count=len(plan.segments),
                engine=ENGINE_ENUMS[info.engine],
            )
        )
        for event in events:
            if isinstance(event, AudioPiece):
                pcm = pcm_audio(event.samples, encoding, info.sample_rate)
                yield pb.SynthesizeStreamResponse(
                    audio=pb.AudioChunk(
                        data=pcm.data,
                        segment_index=event.segment_index,
                        segment_final=event.segment_final,
                        start_sample=event.start_sample,
                        format=pcm.format,
                    )
                )
            else:
                yield pb.SynthesizeStreamResponse(end=pb.StreamEnd(stats=stats_message(event)))

    def Convert(self, request: pb.ConvertRequest, context: grpc.ServicerContext) -> pb.ConvertResponse:
        info = self._worker.engine_info()  # voice conversion is the default engine's
        if not info.voice_conversion:
            raise WrongKind(f"the loaded {info.engine} engine has no voice conversion")
        encoding = lookup(ENCODINGS, request.encoding, "encoding")
        if not request.HasField("source"):
            raise InvalidInput("source is required: the speech to convert", field="source")
        semitones = pitch_shift_semitones(request)
        source = decode_source(request.source, "source", self._options.allowed_roots)
        budget = ResponseBudget.for_message_limit(self._options.max_message_bytes, encoding, info.sample_rate)
        budget.check_source(source.duration_seconds)
        target = (
            decode_source(request.target_voice, "target_voice", self._options.allowed_roots)
            if request.HasField("target_voice")
            else None
        )
        plan = synthesis.ConversionPlan(source, target, semitones)

        def work(engines: EngineSet, job: Job, channel: Channel) -> None:
            channel.put(synthesis.convert(engines.default, plan, JobTiming(job.enqueued_at, job.started_at)))
            channel.finish()

        ((samples, stats),) = list(rpc_jobs.submit(self._worker, context, work))
        return pb.ConvertResponse(audio=pcm_audio(samples, encoding, info.sample_rate), stats=stats_message(stats))

    def TimeStretch(self, request: pb.TimeStretchRequest, context: grpc.ServicerContext) -> pb.TimeStretchResponse:
        # Plain DSP on the RPC thread: it needs no model, so it does not wait behind syntheses.
        if self._worker.status().state == DRAINING:
            raise Draining("the sidecar is shutting down")
        stretch.validate_speed(request.speed)
        library = lookup(STRETCH_LIBRARIES, request.library, "library")
        audio = decode_pcm(request.audio, "audio")
        encoding = ENCODINGS[request.audio.format.encoding]
        budget = ResponseBudget.for_message_limit(self._options.max_message_bytes, encoding, audio.sample_rate)
        budget.check_stretched(audio.duration_seconds, request.speed)
        result = stretch.time_stretch(audio.samples, audio.sample_rate, request.speed, library)
        return pb.TimeStretchResponse(
            audio=pcm_audio(result.samples, encoding, audio.sample_rate),
            library_used=STRETCH_LIBRARY_ENUMS.get(result.library or "", pb.STRETCH_LIBRARY_UNSPECIFIED),
            warnings=result.warnings,
        )

    def Transcribe(self, request: pb.TranscribeRequest, context: grpc.ServicerContext) -> pb.TranscribeResponse:
        plan = stt_mapping.transcription_plan(request, self._recognizer, self._options.allowed_roots)
        return stt_mapping.response(self._start_transcription(plan, context))

    def TranscribeStream(
        self, request: pb.TranscribeRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.TranscribeStreamResponse]:
        plan = stt_mapping.transcription_plan(request, self._recognizer, self._options.allowed_roots)
        # Admitted before the first message, so a full queue is a clean error; `start` follows the model load.
        for event in self._start_transcription(plan, context):
            yield stt_mapping.stream_message(event)

    def ListTranscriptionModels(
        self, request: pb.ListTranscriptionModelsRequest, context: grpc.ServicerContext
    ) -> pb.ListTranscriptionModelsResponse:
        return stt_mapping.models_response(self._recognizer.list_models())

    def _start_synthesis(
        self, plan: synthesis.SynthesisPlan, info: EngineInfo, context: grpc.ServicerContext
    ) -> Channel:
        """Queues the plan, validated against `info`, to run on the engine it names."""

        def work(engines: EngineSet, job: Job, channel: Channel) -> None:
            engine = engines.select(plan.engine)
            if engine.info is not info:
                # LoadModel replaced the engines between the check and the admission: the plan was checked
                # against, and the response will be labelled with, an engine that is gone.
                raise Loading("the engines were replaced while the request was being admitted; retry")
            timing = JobTiming(job.enqueued_at, job.started_at)
            try:
                stats = synthesis.synthesize(engine, plan, timing, channel.put, job.cancel_event, job.yield_point)
            except synthesis.SynthesisCancelled as cancelled:
                _log_cancelled(job, engine.info, cancelled.segments_spoken, len(plan.segments), timing)
                raise
            log.info(
                "synthesis done",
                extra={
                    **job.log_ids(),
                    "engine": engine.info.engine,
                    "segments": len(plan.segments),
                    "samples": stats.audio_samples,
                    "ms": stats.generation_ms,
                },
            )
            channel.put(stats)
            channel.finish()

        return rpc_jobs.submit(self._worker, context, work)

    def _start_transcription(self, plan: TranscriptionPlan, context: grpc.ServicerContext) -> Channel:
        def work(_: object, job: Job, channel: Channel) -> None:
            self._recognizer.run(plan, job, channel.put)
            channel.finish()

        return rpc_jobs.submit(self._recognizer.worker, context, work)


def _log_cancelled(job: Job, info: EngineInfo, spoken: int, planned: int, timing: JobTiming) -> None:
    # How far the work got when it stopped: shows that a caller who went away stopped it early.
    log.info(
        "synthesis cancelled",
        extra={
            **job.log_ids(),
            "engine": info.engine,
            "segments_spoken": spoken,
            "segments": planned,
            "ms": timing.elapsed_ms(),
        },
    )


def _log_loaded(engines: EngineSet, ms: int, ids: dict[str, str]) -> None:
    info = engines.default.info
    log.info(
        "engine loaded",
        extra={
            "engine": info.engine,
            "variant": info.variant,
            "device": info.device,
            "voice": info.voice_name,
            "ms": ms,
            "warnings": info.warnings,
            "engines": {loaded.engine: loaded.memory_mb for loaded in engines.infos()},  # name -> MiB
            "unavailable": dict(engines.unavailable),
            **ids,
        },
    )
