"""Shared fixtures: an in-process sidecar on port 0 with an injectable engine loader."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import grpc
import pytest
from grpc_health.v1 import health_pb2_grpc

from chatterbox_sidecar.engines.engine_set import EngineSet
from chatterbox_sidecar.engines.loader import LoadSpec
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2_grpc
from chatterbox_sidecar.server import Settings, Sidecar, grpc_options

from fakes import FakeEngine, engine_set


@dataclass
class RunningSidecar:
    sidecar: Sidecar
    address: str
    speech: speech_pb2_grpc.SpeechServiceStub
    health: health_pb2_grpc.HealthStub
    loads: list[LoadSpec]

    def load(self, engine: int = pb.ENGINE_ESPEAK, metadata=None) -> pb.LoadModelResponse:
        return self.speech.LoadModel(pb.LoadModelRequest(engine=engine), timeout=30, metadata=metadata)


@pytest.fixture
def start_sidecar() -> Iterator[Callable[..., RunningSidecar]]:
    """Factory: start_sidecar(engine=FakeEngine(), beside=(), unavailable=(), queue_capacity=..., ...) ->
    RunningSidecar. Every LoadModel gets the default `engine`, the engines `beside` it and the (name, reason)
    pairs `unavailable`, whatever it asks for; `load_engines=` replaces that fake loader."""
    started: list[tuple[Sidecar, grpc.Channel]] = []

    def start(
        engine: object | None = None,
        beside: Sequence[object] = (),
        unavailable: Sequence[tuple[str, str]] = (),
        **settings,
    ) -> RunningSidecar:
        loads: list[LoadSpec] = []
        default = engine if engine is not None else FakeEngine()

        def load_engines(spec: LoadSpec) -> EngineSet:
            loads.append(spec)
            return engine_set(default, *beside, unavailable=unavailable)

        settings.setdefault("load_engines", load_engines)
        sidecar = Sidecar(Settings(listen="127.0.0.1:0", **settings))
        address = sidecar.start()
        channel = grpc.insecure_channel(address, options=grpc_options(sidecar.settings.max_message_bytes))
        started.append((sidecar, channel))
        return RunningSidecar(
            sidecar, address, speech_pb2_grpc.SpeechServiceStub(channel), health_pb2_grpc.HealthStub(channel), loads
        )

    yield start
    for sidecar, channel in started:
        channel.close()
        sidecar.stop(0)
