"""Request builders and small helpers shared by the RPC tests."""

from __future__ import annotations

import io

import grpc
import numpy as np
import soundfile
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2
from grpc_status import rpc_status

from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

SERVICE = "chatterbox.v1.SpeechService"


def stream_request(*texts: str, max_chunk_ms: int = 0, **fields) -> pb.SynthesizeStreamRequest:
    segments = [pb.Segment(text=t) for t in texts]
    return pb.SynthesizeStreamRequest(input=pb.SynthesisInput(segments=segments, **fields), max_chunk_ms=max_chunk_ms)


def unary_request(*texts: str, **fields) -> pb.SynthesizeRequest:
    return pb.SynthesizeRequest(input=pb.SynthesisInput(segments=[pb.Segment(text=t) for t in texts], **fields))


def events_of(responses) -> list[tuple[str, object]]:
    return [(r.WhichOneof("event"), getattr(r, r.WhichOneof("event"))) for r in responses]


def health(running, service: str) -> int:
    return running.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


def error_info(failure: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The one ErrorInfo in a failed call's google.rpc.Status details, read the way a client reads it."""
    status = rpc_status.from_call(failure)
    assert status is not None, "the status carries no google.rpc.Status details"
    assert status.code == failure.code().value[0] and len(status.details) == 1
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info), f"not an ErrorInfo: {status.details[0].type_url}"
    return info


def with_request_id(request_id: str) -> tuple[tuple[str, str], ...]:
    """Call metadata naming the request, as the Koa server sends it."""
    return (("x-request-id", request_id),)


def pcm_source(samples: np.ndarray, rate: int) -> pb.AudioSource:
    """Mono float32 samples as a raw-PCM AudioSource."""
    pcm_format = pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_F32LE, sample_rate_hz=rate, channels=1)
    return pb.AudioSource(pcm=pb.PcmAudio(format=pcm_format, data=samples.astype("<f4").tobytes()))


def wav_source(samples: np.ndarray, rate: int) -> pb.AudioSource:
    """Mono float32 samples as a WAV file sent in the request."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return pb.AudioSource(file_bytes=buffer.getvalue())


def transcribe_request(audio: pb.AudioSource | None = None, **fields) -> pb.TranscribeRequest:
    """A TranscribeRequest for `audio` (default: one second of silence as PCM)."""
    source = audio if audio is not None else pcm_source(np.zeros(24000, np.float32), 24000)
    return pb.TranscribeRequest(audio=source, **fields)
