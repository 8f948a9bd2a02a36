"""Several engines in one sidecar, through gRPC: what LoadModel and GetModelInfo say, and which engine
speaks a request (SynthesisInput.engine). Fake engines, plus one run of the real piper and espeak."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from chatterbox_sidecar import servicer
from chatterbox_sidecar.engines.loader import load_engines
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from fakes import FAKE_RATE, FakeEngine, engine_set
from piper_pack import MODELS_DIR, VOICE, needs_piper
from rpc_helpers import error_info, events_of, pcm_source, stream_request, unary_request

PIPER_RATE = 16000  # the fake piper's, so the audio format shows which engine spoke
WEIGHTS_MISSING = "Chatterbox english failed to load (FileNotFoundError); the sidecar log has the details"


@pytest.fixture
def two_engines(start_sidecar):
    """A sidecar holding a fake espeak (the default) and a fake piper, chatterbox reported unavailable."""
    espeak = FakeEngine(name="espeak")
    piper = FakeEngine(name="piper", sample_rate=PIPER_RATE, languages=("en",))
    espeak.info.memory_mb, piper.info.memory_mb = 12, 80
    running = start_sidecar(espeak, beside=[piper], unavailable=[("chatterbox", WEIGHTS_MISSING)])
    running.load()
    return running, espeak, piper


def test_get_model_info_lists_every_loaded_engine_the_default_first_and_the_unavailable(two_engines):
    running, _, _ = two_engines
    info = running.speech.GetModelInfo(pb.GetModelInfoRequest(), timeout=5)
    assert info.model.engine == pb.ENGINE_ESPEAK and info.model.memory_mb == 12
    assert [(m.engine, m.sample_rate_hz, m.memory_mb) for m in info.engines] == [
        (pb.ENGINE_ESPEAK, FAKE_RATE, 12),
        (pb.ENGINE_PIPER, PIPER_RATE, 80),
    ]
    assert list(info.unavailable) == [pb.UnavailableEngine(engine=pb.ENGINE_CHATTERBOX, reason=WEIGHTS_MISSING)]
    loaded = running.load()  # the same spec again: idempotent, and the same answer
    assert (loaded.model, list(loaded.engines), list(loaded.unavailable)) == (
        info.model,
        list(info.engines),
        list(info.unavailable),
    )


def test_the_engine_a_request_names_speaks_it_in_its_own_format(two_engines):
    running, espeak, piper = two_engines
    events = events_of(running.speech.SynthesizeStream(stream_request("hello", engine=pb.ENGINE_PIPER), timeout=10))
    start = events[0][1]
    assert start.engine == pb.ENGINE_PIPER and start.format.sample_rate_hz == PIPER_RATE
    assert all(chunk.format.sample_rate_hz == PIPER_RATE for kind, chunk in events if kind == "audio")
    unary = running.speech.Synthesize(unary_request("hello", engine=pb.ENGINE_PIPER), timeout=10)
    assert unary.audio.format.sample_rate_hz == PIPER_RATE
    assert [call.text for call in piper.calls] == ["hello", "hello"] and espeak.calls == []


def test_unspecified_is_the_default_and_auto_the_first_of_chatterbox_piper_espeak(two_engines):
    running, espeak, piper = two_engines
    default = events_of(running.speech.SynthesizeStream(stream_request("one"), timeout=10))[0][1]
    assert default.engine == pb.ENGINE_ESPEAK and default.format.sample_rate_hz == FAKE_RATE
    auto = events_of(running.speech.SynthesizeStream(stream_request("two", engine=pb.ENGINE_AUTO), timeout=10))[0][1]
    assert auto.engine == pb.ENGINE_PIPER
    assert [c.text for c in espeak.calls] == ["one"] and [c.text for c in piper.calls] == ["two"]


def test_an_engine_that_is_not_loaded_is_invalid_argument_engine_not_loaded(two_engines):
    running, espeak, piper = two_engines
    for call in (
        lambda: running.speech.Synthesize(unary_request("hi", engine=pb.ENGINE_CHATTERBOX), timeout=10),
        lambda: list(running.speech.SynthesizeStream(stream_request("hi", engine=pb.ENGINE_CHATTERBOX), timeout=10)),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert caught.value.details() == "engine chatterbox is not loaded; loaded: espeak, piper"
        info = error_info(caught.value)
        assert (info.reason, info.metadata["field"]) == ("ENGINE_NOT_LOADED", "input.engine")
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("hi", engine=42), timeout=10)
    assert error_info(caught.value).metadata["field"] == "input.engine"
    assert espeak.calls == [] and piper.calls == []


def test_a_request_is_validated_against_the_engine_it_names(two_engines):
    running, _, piper = two_engines
    french = running.speech.Synthesize(unary_request("salut", language="fr"), timeout=10)  # espeak has fr
    assert french.stats.audio_samples > 0
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("salut", language="fr", engine=pb.ENGINE_PIPER), timeout=10)
    assert error_info(caught.value).reason == "UNSUPPORTED_LANGUAGE"
    assert "loaded piper engine" in caught.value.details() and piper.calls == []


def test_convert_uses_the_default_engine(two_engines):
    running, espeak, piper = two_engines
    source = pcm_source(np.arange(4, dtype=np.float32), FAKE_RATE)
    response = running.speech.Convert(pb.ConvertRequest(source=source), timeout=10)
    assert response.audio.format.sample_rate_hz == FAKE_RATE
    assert len(espeak.converted) == 1 and piper.converted == []


def test_a_request_checked_against_engines_replaced_before_its_admission_is_unavailable(two_engines, monkeypatch):
    running, espeak, _ = two_engines
    checked = servicer.synthesis_plan

    def check_then_replace(*args, **kwargs):  # a LoadModel lands between the checks and the admission
        plan = checked(*args, **kwargs)
        running.sidecar.worker.load("another spec", lambda: engine_set(FakeEngine(name="espeak")))
        return plan

    monkeypatch.setattr(servicer, "synthesis_plan", check_then_replace)
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("hi"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE and error_info(caught.value).reason == "LOADING"
    assert espeak.calls == []


def test_load_model_passes_the_engines_and_the_budget_and_refuses_auto_among_them(start_sidecar):
    running = start_sidecar()
    request = pb.LoadModelRequest(
        engine=pb.ENGINE_PIPER, engines=[pb.ENGINE_ESPEAK, pb.ENGINE_CHATTERBOX], memory_budget_mb=3200
    )
    running.speech.LoadModel(request, timeout=30)
    assert running.loads[0].engines == ("espeak", "chatterbox") and running.loads[0].memory_budget_mb == 3200
    for refused in (pb.ENGINE_AUTO, pb.ENGINE_UNSPECIFIED):
        with pytest.raises(grpc.RpcError) as caught:
            running.speech.LoadModel(pb.LoadModelRequest(engine=pb.ENGINE_PIPER, engines=[refused]), timeout=30)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_info(caught.value).metadata["field"] == "engines"
    assert len(running.loads) == 1, "a refused request unloads nothing"


@needs_piper
def test_real_piper_by_default_with_espeak_beside_it(start_sidecar):
    running = start_sidecar(load_engines=load_engines)
    load = pb.LoadModelRequest(
        engine=pb.ENGINE_PIPER, engines=[pb.ENGINE_ESPEAK], models_dir=MODELS_DIR, piper_voice=VOICE
    )
    loaded = running.speech.LoadModel(load, timeout=60)
    assert loaded.model.engine == pb.ENGINE_PIPER and loaded.model.voice_name == VOICE
    assert [m.engine for m in loaded.engines] == [pb.ENGINE_PIPER, pb.ENGINE_ESPEAK] and not loaded.unavailable
    espeak_rate = loaded.engines[1].sample_rate_hz
    request = stream_request("Hello there.", engine=pb.ENGINE_ESPEAK)
    events = events_of(running.speech.SynthesizeStream(request, timeout=60))
    assert events[0][1].engine == pb.ENGINE_ESPEAK and events[0][1].format.sample_rate_hz == espeak_rate
    assert events[-1][1].stats.audio_samples > espeak_rate // 4
    default = events_of(running.speech.SynthesizeStream(stream_request("Hello there."), timeout=60))[0][1]
    assert default.engine == pb.ENGINE_PIPER
