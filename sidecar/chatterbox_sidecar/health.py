"""The standard grpc.health.v1 service, driven by the sidecar's lifecycle.

Service "" is SERVING while the process is up; SERVICE_NAME is SERVING only while an engine is loaded
and the sidecar is not draining. The supervisor waits on the latter before sending work.
"""

from __future__ import annotations

from grpc_health.v1 import health, health_pb2

SERVICE_NAME = "chatterbox.v1.SpeechService"


class HealthReporter:
    """Translates lifecycle events into health statuses."""

    def __init__(self) -> None:
        self.servicer = health.HealthServicer()
        self.servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        self.servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.NOT_SERVING)

    def engine_ready(self, ready: bool) -> None:
        """SERVING once LoadModel succeeded; NOT_SERVING while a load is in progress or none succeeded."""
        status = health_pb2.HealthCheckResponse.SERVING if ready else health_pb2.HealthCheckResponse.NOT_SERVING
        self.servicer.set(SERVICE_NAME, status)

    def draining(self) -> None:
        """Every service NOT_SERVING for good; later engine_ready() calls are ignored."""
        self.servicer.enter_graceful_shutdown()
