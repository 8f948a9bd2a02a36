"""Transcribe, TranscribeStream and ListTranscriptionModels through a real gRPC server on port 0, with fake
speech-recognition models (test_stt_whisper.py runs the real one)."""

from __future__ import annotations

import math
import sys
import threading

import grpc
import numpy as np
import pytest

from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from fakes import FakeEngine, FakeSpeechLoader, FakeSpeechModel, make_whisper_folder
from rpc_helpers import error_info, events_of, pcm_source, transcribe_request, unary_request, with_request_id


@pytest.fixture
def start_stt(start_sidecar, tmp_path):
    """start_stt(*installed model names, loader=..., **settings) -> (RunningSidecar, FakeSpeechLoader)."""

    def start(*names: str, loader: FakeSpeechLoader | None = None, **settings):
        folder = tmp_path / f"whisper-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name in names:
            make_whisper_folder(folder, name)
        loader = loader or FakeSpeechLoader()
        settings.setdefault("whisper_dir", str(folder))
        return start_sidecar(load_stt_model=loader, **settings), loader

    return start


def refusal(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    return caught.value


def test_transcribe_needs_no_load_model_and_answers_with_text_segments_and_stats(start_stt):
    running, loader = start_stt("tiny.en", "base")
    audio = pcm_source(np.zeros(36000, np.float32), 24000)
    response = running.speech.Transcribe(transcribe_request(audio, model="tiny.en"), timeout=10)
    assert response.text == "hello there general kenobi"
    assert [(s.id, s.text, s.start_seconds, s.end_seconds) for s in response.segments] == [
        (0, " hello there", 0.0, 1.0),
        (1, " general kenobi", 1.0, 2.0),
    ]
    info = response.info
    assert (info.model, info.language, info.device, list(info.warnings)) == ("tiny.en", "en", "cpu", [])
    assert info.language_probability == pytest.approx(0.75) and info.duration_seconds == pytest.approx(1.5)
    assert list(response.segments[0].tokens) == [1, 2] and response.segments[1].seek == 100
    assert [entry.name for entry in loader.loads] == ["tiny.en"]
    options = loader.models["tiny.en"].options[0]
    assert (options.beam_size, options.temperature, options.task) == (5, None, "transcribe")


def test_the_stream_sends_start_then_each_segment_then_end(start_stt):
    running, _ = start_stt("base")
    events = events_of(running.speech.TranscribeStream(transcribe_request(language="de"), timeout=10))
    assert [kind for kind, _ in events] == ["start", "segment", "segment", "end"]
    assert events[0][1].language == "de" and events[0][1].language_probability == 1.0
    assert [event.id for kind, event in events if kind == "segment"] == [0, 1]
    assert events[-1][1].text == "hello there general kenobi"


def test_words_are_sent_only_when_word_timestamps_are_asked_for(start_stt):
    running, _ = start_stt("base")
    plain = running.speech.Transcribe(transcribe_request(), timeout=10)
    assert all(len(segment.words) == 0 for segment in plain.segments)
    timed = running.speech.Transcribe(transcribe_request(word_timestamps=True), timeout=10)
    assert [word.word for word in timed.segments[1].words] == [" general kenobi"]


def test_request_options_reach_the_model(start_stt):
    running, loader = start_stt("base")
    request = transcribe_request(
        task=pb.TRANSCRIPTION_TASK_TRANSLATE, prompt="Kenobi", temperature=0.5, beam_size=1, language=" FR "
    )
    running.speech.Transcribe(request, timeout=10)
    options = loader.models["base"].options[0]
    assert (options.task, options.prompt, options.temperature, options.beam_size, options.language) == (
        "translate",
        "Kenobi",
        0.5,
        1,
        "fr",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"temperature": 1.5}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": math.nan}, "temperature"),
        ({"beam_size": 11}, "beam_size"),
        ({"language": "english"}, "language"),
        ({"language": "xx"}, "language"),
        ({"task": 7}, "task"),
        ({"model": "whisper-9"}, "model"),
        ({"model": "tiny.en", "task": pb.TRANSCRIPTION_TASK_TRANSLATE}, "task"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_requests_are_invalid_argument_naming_the_field(start_stt, fields, field):
    running, loader = start_stt("tiny.en")  # English-only: nothing to translate or hear French with
    failure = refusal(running.speech.Transcribe, transcribe_request(**fields))
    assert failure.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(failure).metadata["field"] == field
    assert loader.loads == []


def test_audio_is_required(start_stt):
    running, _ = start_stt("tiny.en")
    failure = refusal(running.speech.Transcribe, pb.TranscribeRequest())
    assert failure.code() == grpc.StatusCode.INVALID_ARGUMENT and error_info(failure).metadata["field"] == "audio"


def test_no_installed_model_is_not_found_naming_the_folder(start_stt):
    running, _ = start_stt()
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.NOT_FOUND
    assert failure.details() == "no speech-recognition model is installed in the Whisper models folder (--whisper-dir)"
    unset, _ = start_stt(whisper_dir=None)
    with pytest.raises(grpc.RpcError) as caught:
        next(unset.speech.TranscribeStream(transcribe_request(), timeout=10))
    failure = caught.value
    assert failure.code() == grpc.StatusCode.NOT_FOUND and "--whisper-dir" in failure.details()


def test_without_faster_whisper_it_is_failed_precondition(start_stt, monkeypatch):
    running, _ = start_stt("tiny.en")
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # makes `import faster_whisper` fail
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert failure.details().startswith("speech recognition is not installed")
    listing = running.speech.ListTranscriptionModels(pb.ListTranscriptionModelsRequest(), timeout=10)
    assert not listing.available and listing.engine_version == ""


def test_a_model_larger_than_the_memory_budget_is_resource_exhausted(start_stt):
    running, loader = start_stt("tiny.en", stt_memory_mb=100)
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "memory budget of 100 MB (--stt-memory-mb)" in failure.details()
    assert error_info(failure).reason == "OUT_OF_MEMORY" and loader.loads == []


def test_models_beyond_the_budget_evict_the_least_recently_used(start_stt):
    running, loader = start_stt("tiny.en", "base", stt_memory_mb=200)  # each fake needs about 130 MB
    for model in ("tiny.en", "base", "tiny.en"):
        running.speech.Transcribe(transcribe_request(model=model), timeout=10)
    assert [entry.name for entry in loader.loads] == ["tiny.en", "base", "tiny.en"]
    listing = running.speech.ListTranscriptionModels(pb.ListTranscriptionModelsRequest(), timeout=10)
    assert {m.name: m.loaded for m in listing.models} == {"base": False, "tiny.en": True}


def test_the_listing_names_installed_models_downloadable_ones_and_the_default(start_stt):
    running, _ = start_stt("tiny.en", "base", allow_download=True, stt_memory_mb=3000)
    listing = running.speech.ListTranscriptionModels(pb.ListTranscriptionModelsRequest(), timeout=10)
    assert listing.available and listing.engine_version.startswith("faster-whisper ")
    assert listing.default_model == "base" and listing.memory_budget_mb == 3000
    by_name = {model.name: model for model in listing.models}
    assert [m.name for m in listing.models[:2]] == ["base", "tiny.en"] and len(by_name) == 12
    assert by_name["tiny.en"].installed and not by_name["tiny.en"].multilingual
    assert by_name["tiny.en"].size_bytes > 1000
    assert not by_name["large-v3"].installed and by_name["large-v3"].size_bytes == 0
    offline, _ = start_stt()
    listing = offline.speech.ListTranscriptionModels(pb.ListTranscriptionModelsRequest(), timeout=10)
    assert list(listing.models) == [] and listing.default_model == ""


def test_a_known_model_is_downloaded_when_allowed(start_stt):
    running, loader = start_stt("tiny.en", allow_download=True)
    response = running.speech.Transcribe(transcribe_request(model="small"), timeout=10)
    assert response.info.model == "small" and list(response.info.warnings) == []
    assert loader.loads[0].path is None


def test_a_failed_download_falls_back_to_the_nearest_installed_model_with_a_warning(start_stt):
    running, _ = start_stt("tiny.en", allow_download=True, loader=FakeSpeechLoader(undownloadable=("small",)))
    response = running.speech.Transcribe(transcribe_request(model="small"), timeout=10)
    assert response.info.model == "tiny.en"
    assert list(response.info.warnings) == [
        "model small is not installed and could not be downloaded (offline); used tiny.en, the nearest installed "
        "model, instead"
    ]
    alone, _ = start_stt(allow_download=True, whisper_dir=None, loader=FakeSpeechLoader(undownloadable=("small",)))
    failure = refusal(alone.speech.Transcribe, transcribe_request(model="small"))
    assert failure.code() == grpc.StatusCode.NOT_FOUND and "no installed model can stand in" in failure.details()


def test_a_download_too_large_for_the_budget_is_not_made_and_the_nearest_installed_model_speaks(start_stt):
    running, loader = start_stt("tiny.en", allow_download=True, stt_memory_mb=1000)
    response = running.speech.Transcribe(transcribe_request(model="medium"), timeout=10)
    assert response.info.model == "tiny.en" and [entry.name for entry in loader.loads] == ["tiny.en"]
    (warning,) = response.info.warnings
    assert warning.startswith("model medium is not installed and would need about ")
    assert warning.endswith(
        "more than the STT memory budget of 1000 MB (--stt-memory-mb); used tiny.en, the nearest installed model, "
        "instead"
    )


def test_a_transcription_does_not_wait_behind_a_slow_synthesis(start_stt):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running, _ = start_stt("tiny.en", engine=engine)
    running.load()
    synthesis = running.speech.Synthesize.future(unary_request("slow"), timeout=20)
    assert engine.entered.wait(5), "the synthesis never started"
    response = running.speech.Transcribe(transcribe_request(), timeout=10)
    assert response.text == "hello there general kenobi"
    assert not synthesis.done(), "the synthesis was not held, so the order proves nothing"
    engine.gate.set()
    assert synthesis.result().stats.audio_samples > 0


def held_model(loader: FakeSpeechLoader, name: str, hold_from: int, texts=None) -> FakeSpeechModel:
    """The model `loader` will load for `name`, holding segment `hold_from` and later until released."""
    model = loader.models[name] = FakeSpeechModel(name, texts or ("hello there", "general kenobi"))
    model.hold_from = hold_from
    return model


def test_a_synthesis_does_not_wait_behind_a_slow_transcription(start_stt):
    running, loader = start_stt("tiny.en")
    model = held_model(loader, "tiny.en", hold_from=0)
    running.load()
    transcription = running.speech.Transcribe.future(transcribe_request(), timeout=20)
    assert model.holding.wait(5), "the transcription never started"
    assert running.speech.Synthesize(unary_request("quick"), timeout=10).stats.audio_samples > 0
    assert not transcription.done()
    model.release.set()
    assert transcription.result().text == "hello there general kenobi"


def test_cancelling_the_stream_stops_before_the_next_segment_is_decoded(start_stt):
    running, loader = start_stt("tiny.en")
    model = held_model(loader, "tiny.en", hold_from=1, texts=("one", "two", "three", "four"))
    responses = running.speech.TranscribeStream(transcribe_request(), timeout=10, metadata=with_request_id("t1"))
    assert [next(responses).WhichOneof("event") for _ in range(2)] == ["start", "segment"]
    assert model.holding.wait(5)
    job = running.sidecar.recognizer.worker.running_job()
    assert job is not None and job.request_id == "t1"
    responses.cancel()
    assert job.cancel_event.wait(5), "the server never saw the cancellation"
    model.release.set()
    # The STT worker is serial: once a later request completes, the cancelled one has stopped.
    running.speech.Transcribe(transcribe_request(), timeout=10)
    assert model.decoded == [2, 4], "segments were decoded after the cancellation"


def test_a_full_queue_is_resource_exhausted(start_stt):
    running, loader = start_stt("tiny.en", stt_queue_capacity=1)
    model = held_model(loader, "tiny.en", hold_from=0)
    first = running.speech.Transcribe.future(transcribe_request(), timeout=20)
    assert model.holding.wait(5)
    second = running.speech.Transcribe.future(transcribe_request(), timeout=20)
    assert running.sidecar.recognizer.worker.wait_until(lambda status: status.queue_depth == 1, timeout=5)
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and error_info(failure).reason == "QUEUE_FULL"
    assert "speech recognition queue is full" in failure.details()
    model.release.set()
    assert first.result().text == second.result().text == "hello there general kenobi"


def test_a_transcription_that_waits_past_the_max_queue_wait_is_resource_exhausted(start_stt):
    running, loader = start_stt("tiny.en", max_queue_wait_seconds=0.2)
    model = held_model(loader, "tiny.en", hold_from=0)
    first = running.speech.Transcribe.future(transcribe_request(), timeout=20)
    assert model.holding.wait(5)
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and error_info(failure).reason == "QUEUE_FULL"
    assert failure.details() == "waited 0.2 s in the speech recognition queue without starting; retry later"
    model.release.set()
    assert first.result().text == "hello there general kenobi"


def test_stopping_drains_the_stt_worker_too(start_stt):
    running, loader = start_stt("tiny.en", grace_seconds=0)
    model = held_model(loader, "tiny.en", hold_from=0)
    transcription = running.speech.Transcribe.future(transcribe_request(), timeout=20)
    assert model.holding.wait(5)
    job = running.sidecar.recognizer.worker.running_job()
    running.sidecar.stop(0)
    assert job.cancel_event.is_set(), "the running transcription was not asked to stop"
    model.release.set()
    with pytest.raises(grpc.RpcError):
        transcription.result()


def test_while_draining_transcriptions_are_unavailable(start_stt):
    running, _ = start_stt("tiny.en")
    running.sidecar.recognizer.worker.begin_drain()
    failure = refusal(running.speech.Transcribe, transcribe_request())
    assert failure.code() == grpc.StatusCode.UNAVAILABLE and error_info(failure).reason == "DRAINING"
