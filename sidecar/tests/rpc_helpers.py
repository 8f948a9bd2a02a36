"""Request builders and small helpers shared by the RPC tests."""

from __future__ import annotations

from grpc_health.v1 import health_pb2

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
