"""The sidecar process: gRPC server, inference worker and health, with a graceful drain on stop."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import grpc
from grpc_health.v1 import health_pb2_grpc

from .engines.base import Engine
from .engines.loader import LoadSpec, load_engine
from .errors import ErrorInterceptor
from .health import HealthReporter
from .pb.chatterbox.v1 import speech_pb2_grpc
from .servicer import ServicerOptions, SpeechServicer
from .worker import InferenceWorker

log = logging.getLogger("chatterbox_sidecar.server")

# RPC threads beyond one per queued job: the running job, Health, GetStatus, refusals and a margin.
SPARE_RPC_THREADS = 8


class BindError(RuntimeError):
    """The listen address could not be bound (port taken, bad host)."""


@dataclass(frozen=True)
class Settings:
    listen: str = "127.0.0.1:7861"
    allowed_roots: Sequence[str] = ()
    queue_capacity: int = 16
    max_message_mb: int = 64
    grace_seconds: float = 10.0
    load_engine: Callable[[LoadSpec], Engine] = field(default=load_engine)

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * 1024 * 1024


def grpc_options(max_message_bytes: int) -> list[tuple[str, int]]:
    """Channel options for the server; SO_REUSEPORT is off so a taken port fails loudly."""
    return [
        ("grpc.so_reuseport", 0),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
    ]


def create_grpc_server(max_message_bytes: int, max_workers: int) -> grpc.Server:
    """A sync gRPC server with the error interceptor installed on every service."""
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc")
    return grpc.server(pool, interceptors=[ErrorInterceptor()], options=grpc_options(max_message_bytes))


class Sidecar:
    """Owns the server, the worker and health. start() binds; stop() drains and is idempotent."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.worker = InferenceWorker(settings.queue_capacity)
        self.health = HealthReporter()
        self.server = create_grpc_server(settings.max_message_bytes, settings.queue_capacity + SPARE_RPC_THREADS)
        options = ServicerOptions(tuple(settings.allowed_roots), settings.max_message_bytes, settings.load_engine)
        speech_pb2_grpc.add_SpeechServiceServicer_to_server(
            SpeechServicer(self.worker, self.health, options), self.server
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health.servicer, self.server)
        self._stop_lock = threading.Lock()
        self._stopped = False

    def start(self) -> str:
        """Binds and starts serving; returns the address actually bound (port 0 resolved)."""
        try:
            port = self.server.add_insecure_port(self.settings.listen)
        except RuntimeError as error:
            raise BindError(f"cannot listen on {self.settings.listen}: {error}") from error
        if port == 0:
            raise BindError(f"cannot listen on {self.settings.listen}: the address is taken or invalid")
        self.server.start()
        return f"{self.settings.listen.rsplit(':', 1)[0]}:{port}"

    def stop(self, grace_seconds: float) -> None:
        """Drain: health NOT_SERVING, new work UNAVAILABLE, queued jobs aborted, the running job gets up to
        the grace period, then the server stops."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        deadline = time.monotonic() + grace_seconds
        log.info("draining", extra={"grace_seconds": grace_seconds})
        self.health.draining()
        self.worker.drain(grace_seconds)
        # The running job's last messages still have to reach the caller: keep a moment for that.
        self.server.stop(max(deadline - time.monotonic(), 1.0)).wait()
        log.info("stopped")
