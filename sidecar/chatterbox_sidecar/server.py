"""The sidecar process: gRPC server, the inference and speech-recognition workers and health, with a
graceful drain on stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2_grpc
from grpc_health.v1.health import SERVICE_NAME as HEALTH_SERVICE_NAME
from grpc_reflection.v1alpha import reflection

from . import defaults
from .admin import ADMIN_TOKEN_ENV
from .engines.engine_set import EngineSet
from .engines.loader import LoadSpec, load_engines
from .errors import ErrorInterceptor
from .health import HealthReporter
from .pb.chatterbox.v1 import speech_pb2, speech_pb2_grpc
from .servicer import ServicerOptions, SpeechServicer
from .stt import whisper_backend
from .stt.base import SpeechModel
from .stt.catalog import ModelEntry
from .stt.recognizer import SpeechRecognizer, SttSettings
from .worker import InferenceWorker

log = logging.getLogger("chatterbox_sidecar.server")

# RPC threads beyond one per queued job: the running jobs, Health, GetStatus, refusals and a margin.
SPARE_RPC_THREADS = 8
# Listed by gRPC server reflection, so tools such as grpcurl work without the .proto files.
REFLECTED_SERVICES = (
    speech_pb2.DESCRIPTOR.services_by_name["SpeechService"].full_name,
    HEALTH_SERVICE_NAME,
    reflection.SERVICE_NAME,
)


class BindError(RuntimeError):
    """The listen address could not be bound (port taken, bad host)."""


@dataclass(frozen=True)
class Settings:
    listen: str = defaults.LISTEN
    allowed_roots: Sequence[str] = ()
    queue_capacity: int = defaults.QUEUE_CAPACITY
    max_message_mb: int = defaults.MAX_MESSAGE_MB
    grace_seconds: float = defaults.GRACE_SECONDS
    admin_token: str | None = field(default=None, repr=False)  # None = admin RPCs unguarded
    load_engines: Callable[[LoadSpec], EngineSet] = field(default=load_engines)
    whisper_dir: str | None = None  # None = no speech-recognition model is installed
    stt_device: str = "auto"
    stt_memory_mb: int = defaults.STT_MEMORY_MB
    stt_queue_capacity: int = defaults.STT_QUEUE_CAPACITY
    max_queue_wait_seconds: float = defaults.MAX_QUEUE_WAIT_SECONDS  # both queues; 0 = until the deadline
    allow_download: bool = False  # lets speech recognition fetch known Whisper models from the hub
    load_stt_model: Callable[[ModelEntry, str], SpeechModel] = field(default=whisper_backend.load_model)

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * 1024 * 1024

    @property
    def stt(self) -> SttSettings:
        return SttSettings(
            self.whisper_dir,
            self.stt_device,
            self.stt_memory_mb,
            self.stt_queue_capacity,
            self.max_queue_wait_seconds,
            self.allow_download,
            self.load_stt_model,
        )


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
        self.worker = InferenceWorker(settings.queue_capacity, settings.max_queue_wait_seconds)
        self.recognizer = SpeechRecognizer(settings.stt)
        self.health = HealthReporter()
        queued = settings.queue_capacity + settings.stt_queue_capacity
        self.server = create_grpc_server(settings.max_message_bytes, queued + SPARE_RPC_THREADS)
        options = ServicerOptions(
            tuple(settings.allowed_roots), settings.max_message_bytes, settings.admin_token, settings.load_engines
        )
        servicer = SpeechServicer(self.worker, self.recognizer, self.health, options)
        speech_pb2_grpc.add_SpeechServiceServicer_to_server(servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health.servicer, self.server)
        reflection.enable_server_reflection(REFLECTED_SERVICES, self.server)
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
        if self.settings.admin_token is None:
            log.warning(
                f"admin RPCs (LoadModel) are unguarded: {ADMIN_TOKEN_ENV} was not set, so any client that "
                "reaches this address can swap the engine; the supervising server always sets it"
            )
        return f"{self.settings.listen.rsplit(':', 1)[0]}:{port}"

    def stop(self, grace_seconds: float) -> None:
        """Drain: health NOT_SERVING, new work UNAVAILABLE, queued jobs aborted, the running jobs (one per
        worker) get up to the grace period, then the server stops."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        deadline = time.monotonic() + grace_seconds
        log.info("draining", extra={"grace_seconds": grace_seconds})
        self.health.draining()
        workers = (self.worker, self.recognizer.worker)
        for worker in workers:
            worker.begin_drain()
        for worker in workers:
            worker.finish_drain(deadline - time.monotonic())
        # The running job's last messages still have to reach the caller: keep a moment for that.
        self.server.stop(max(deadline - time.monotonic(), 1.0)).wait()
        log.info("stopped")
