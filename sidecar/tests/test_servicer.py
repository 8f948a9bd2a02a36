"""SpeechService through a real gRPC server on port 0, with a fake engine behind the worker."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2

from chatterbox_sidecar import audio_input
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from fakes import FAKE_RATE, SAMPLES_PER_CHAR, FakeEngine
from rpc_helpers import SERVICE, error_info, events_of, health, stream_request, unary_request


def test_health_reports_the_process_up_and_the_service_ready_only_after_load_model(start_sidecar):
    running = start_sidecar()
    assert health(running, "") == health_pb2.HealthCheckResponse.SERVING
    assert health(running, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
    running.load()
    assert health(running, SERVICE) == health_pb2.HealthCheckResponse.SERVING


def test_work_before_load_model_is_failed_precondition(start_sidecar):
    running = start_sidecar()
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("hello"), timeout=5)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(caught.value).reason == "NOT_LOADED"
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.GetModelInfo(pb.GetModelInfoRequest(), timeout=5)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_load_model_is_idempotent_for_the_same_spec(start_sidecar):
    running = start_sidecar()
    first = running.load()
    second = running.load()
    assert len(running.loads) == 1
    assert first == second
    assert first.model.sample_rate_hz == FAKE_RATE
    assert running.speech.GetModelInfo(pb.GetModelInfoRequest(), timeout=5).model == first.model


def test_stream_sends_start_then_chunks_per_segment_then_end(start_sidecar):
    running = start_sidecar()
    running.load()
    # 10 ms chunks = 240 samples; "abcdef" = 600 samples -> 240 + 240 + 120.
    events = events_of(running.speech.SynthesizeStream(stream_request("abcdef", "xyz", max_chunk_ms=10), timeout=10))
    kinds = [kind for kind, _ in events]
    assert kinds == ["start", "audio", "audio", "audio", "audio", "audio", "end"]
    start = events[0][1]
    assert start.segment_count == 2 and start.engine == pb.ENGINE_ESPEAK
    assert start.format.sample_rate_hz == FAKE_RATE and start.format.encoding == pb.AUDIO_ENCODING_PCM_F32LE
    chunks = [event for kind, event in events if kind == "audio"]
    assert [c.segment_index for c in chunks] == [0, 0, 0, 1, 1]
    assert [c.segment_final for c in chunks] == [False, False, True, False, True]
    assert [c.start_sample for c in chunks] == [0, 240, 480, 600, 840]
    assert [len(c.data) // 4 for c in chunks] == [240, 240, 120, 240, 60]
    assert all(c.format == start.format for c in chunks), "every audio message states its format"
    stats = events[-1][1].stats
    assert stats.audio_samples == 900 and not stats.watermarked
    assert stats.stretch_library == pb.STRETCH_LIBRARY_UNSPECIFIED


def test_max_chunk_ms_zero_sends_one_chunk_per_segment(start_sidecar):
    running = start_sidecar()
    running.load()
    events = events_of(running.speech.SynthesizeStream(stream_request("abc", "de"), timeout=10))
    chunks = [event for kind, event in events if kind == "audio"]
    assert [(c.segment_index, c.segment_final, len(c.data) // 4) for c in chunks] == [(0, True, 300), (1, True, 200)]


def test_s16_encoding_halves_the_bytes_and_matches_the_float_samples(start_sidecar):
    running = start_sidecar()
    running.load()
    as_float = running.speech.Synthesize(unary_request("hello", "you"), timeout=10)
    as_int = running.speech.Synthesize(unary_request("hello", "you", encoding=pb.AUDIO_ENCODING_PCM_S16LE), timeout=10)
    assert as_int.audio.format.encoding == pb.AUDIO_ENCODING_PCM_S16LE
    assert as_int.audio.format.sample_rate_hz == FAKE_RATE == as_float.audio.format.sample_rate_hz
    floats = np.frombuffer(as_float.audio.data, dtype="<f4")
    ints = np.frombuffer(as_int.audio.data, dtype="<i2")
    assert floats.size == ints.size == 8 * SAMPLES_PER_CHAR
    assert np.allclose(ints / 32767.0, floats, atol=1e-4)


def test_unary_returns_the_same_audio_as_the_stream(start_sidecar):
    running = start_sidecar()
    running.load()
    unary = running.speech.Synthesize(unary_request("one", "three"), timeout=10)
    streamed = b"".join(
        e.data
        for k, e in events_of(
            running.speech.SynthesizeStream(stream_request("one", "three", max_chunk_ms=5), timeout=10)
        )
        if k == "audio"
    )
    assert unary.audio.data == streamed
    assert unary.stats.audio_samples == 8 * SAMPLES_PER_CHAR


def test_ignored_parameters_are_named_in_the_stats(start_sidecar):
    running = start_sidecar()
    running.load()
    response = running.speech.Synthesize(unary_request("hi", params=pb.GenerationParams(min_p=0.1)), timeout=10)
    assert list(response.stats.ignored_parameters) == ["min_p"]
    assert list(response.stats.warnings) == []
    plain = running.speech.Synthesize(unary_request("hi", params=pb.GenerationParams(temperature=0.5)), timeout=10)
    assert list(plain.stats.ignored_parameters) == []


def test_speed_stretches_each_segment_and_reports_the_library(start_sidecar):
    engine = FakeEngine()
    running = start_sidecar(engine)
    running.load()
    response = running.speech.Synthesize(
        unary_request("a" * 100, speed=2.0, stretch_library=pb.STRETCH_LIBRARY_SOX), timeout=10
    )
    assert response.stats.stretch_library == pb.STRETCH_LIBRARY_SOX
    assert abs(response.stats.audio_samples - 100 * SAMPLES_PER_CHAR / 2) < 0.05 * 100 * SAMPLES_PER_CHAR / 2


@pytest.mark.parametrize("speed", [0.25, 4.0])
def test_the_speed_range_reaches_a_quarter_and_four_times(start_sidecar, speed):
    running = start_sidecar()
    running.load()
    response = running.speech.Synthesize(unary_request("a" * 100, speed=speed), timeout=10)
    expected = 100 * SAMPLES_PER_CHAR / speed
    assert abs(response.stats.audio_samples / expected - 1) < 0.05
    assert list(response.stats.warnings) == []


def test_the_voice_method_is_reported_in_the_stats_and_the_model_info(start_sidecar):
    running = start_sidecar()
    assert running.load().model.voice_method == "fake: reverses the audio"
    voice = pb.AudioSource(pcm=pcm_message(np.zeros(100, "<f4")))
    with_voice = running.speech.Synthesize(unary_request("hi", voice=voice), timeout=10)
    assert with_voice.stats.voice_method == "fake: ignores the reference"
    assert running.speech.Synthesize(unary_request("hi"), timeout=10).stats.voice_method == ""
    events = events_of(running.speech.SynthesizeStream(stream_request("hi", voice=voice), timeout=10))
    assert events[-1][1].stats.voice_method == "fake: ignores the reference"


def pcm_message(samples: np.ndarray) -> pb.PcmAudio:
    audio_format = pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_F32LE, sample_rate_hz=FAKE_RATE)
    return pb.PcmAudio(format=audio_format, data=samples.astype("<f4").tobytes())


def _input(*texts: str, **fields) -> pb.SynthesisInput:
    return pb.SynthesisInput(segments=[pb.Segment(text=text) for text in texts], **fields)


# (input, text in the message, ErrorInfo reason, ErrorInfo `field`)
INVALID_INPUTS = [
    (pb.SynthesisInput(), "input.segments is empty", "NO_SEGMENTS", "input.segments"),
    (_input("ok", "  \n"), "input.segments[1].text is blank", "SEGMENT_BLANK", "input.segments[1].text"),
    (_input("x" * 301), "has 301 characters; the limit is 300", "SEGMENT_TOO_LONG", "input.segments[0].text"),
    (_input("ok", language="xx"), "language 'xx' is not supported", "UNSUPPORTED_LANGUAGE", "input.language"),
    (_input("ok", speed=0.2), "input.speed must be between 0.25 and 4.0", "INVALID_INPUT", "input.speed"),
    (_input("ok", speed=float("nan")), "input.speed must be between", "INVALID_INPUT", "input.speed"),
    (
        _input("ok", params=pb.GenerationParams(temperature=0)),
        "input.params.temperature must be above 0",
        "INVALID_INPUT",
        "input.params.temperature",
    ),
    (
        _input("ok", params=pb.GenerationParams(exaggeration=2.5)),
        "input.params.exaggeration",
        "INVALID_INPUT",
        "input.params.exaggeration",
    ),
    (
        _input("ok", params=pb.GenerationParams(top_p=float("inf"))),
        "input.params.top_p",
        "INVALID_INPUT",
        "input.params.top_p",
    ),
    (
        _input("ok", params=pb.GenerationParams(repetition_penalty=0.5)),
        "input.params.repetition_penalty must be at least 1",
        "INVALID_INPUT",
        "input.params.repetition_penalty",
    ),
    (_input("ok", params=pb.GenerationParams(top_k=0)), "input.params.top_k", "INVALID_INPUT", "input.params.top_k"),
    (_input("ok", encoding=7), "input.encoding has an unknown value 7", "INVALID_INPUT", "input.encoding"),
    (
        _input("ok", voice=pb.AudioSource(pcm=pb.PcmAudio(data=b"\0\0"))),
        "input.voice.pcm.format.sample_rate_hz must be set",
        "INVALID_INPUT",
        "input.voice.pcm.format.sample_rate_hz",
    ),
    (
        _input("ok", voice=pb.AudioSource(file_bytes=b"not audio")),
        "input.voice.file_bytes could not be decoded",
        "UNDECODABLE_AUDIO",
        "input.voice.file_bytes",
    ),
    (
        _input("ok", voice=pb.AudioSource(path="/etc/passwd")),
        "file paths are disabled",
        "PATH_NOT_ALLOWED",
        "input.voice.path",
    ),
]


@pytest.mark.parametrize("message,expected,reason,field", INVALID_INPUTS, ids=[row[1] for row in INVALID_INPUTS])
def test_invalid_input_is_invalid_argument_with_a_precise_message_and_reason(
    start_sidecar, message, expected, reason, field
):
    running = start_sidecar()
    running.load()
    for call in (
        lambda: running.speech.Synthesize(pb.SynthesizeRequest(input=message), timeout=10),
        lambda: list(running.speech.SynthesizeStream(pb.SynthesizeStreamRequest(input=message), timeout=10)),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert expected in caught.value.details()
        info = error_info(caught.value)
        assert (info.reason, info.metadata["field"]) == (reason, field)


def test_a_missing_ffmpeg_is_internal_not_the_callers_fault(start_sidecar, monkeypatch):
    monkeypatch.setattr(audio_input, "FFMPEG", "ffmpeg-that-is-not-installed")
    running = start_sidecar()
    running.load()
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("ok", voice=pb.AudioSource(file_bytes=b"AAC?" * 64)), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert error_info(caught.value).reason == "INTERNAL"


def test_convert_runs_on_the_worker_and_wrong_kind_is_failed_precondition(start_sidecar):
    engine = FakeEngine()
    running = start_sidecar(engine)
    running.load()
    source = pb.AudioSource(
        pcm=pb.PcmAudio(
            format=pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_F32LE, sample_rate_hz=FAKE_RATE),
            data=np.arange(4, dtype="<f4").tobytes(),
        )
    )
    response = running.speech.Convert(pb.ConvertRequest(source=source), timeout=10)
    assert np.frombuffer(response.audio.data, dtype="<f4").tolist() == [3, 2, 1, 0]
    assert list(response.stats.warnings) == ["fake conversion"]

    assert response.stats.voice_method == "" and engine.pitch_shifts == [0.0]
    target = pb.AudioSource(pcm=pcm_message(np.ones(8)))
    shifted = running.speech.Convert(
        pb.ConvertRequest(source=source, target_voice=target, pitch_shift_semitones=-12), timeout=10
    )
    assert shifted.stats.voice_method == "fake: reverses the audio" and engine.pitch_shifts[-1] == -12.0

    no_vc = start_sidecar(FakeEngine(voice_conversion=False))
    no_vc.load()
    with pytest.raises(grpc.RpcError) as caught:
        no_vc.speech.Convert(pb.ConvertRequest(source=source), timeout=10)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(caught.value).reason == "WRONG_KIND"


@pytest.mark.parametrize("semitones", [12.5, -12.01, float("nan"), float("inf")])
def test_a_pitch_shift_beyond_an_octave_is_invalid_argument(start_sidecar, semitones):
    engine = FakeEngine()
    running = start_sidecar(engine)
    running.load()
    source = pb.AudioSource(pcm=pcm_message(np.zeros(100, "<f4")))
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Convert(pb.ConvertRequest(source=source, pitch_shift_semitones=semitones), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "pitch_shift_semitones must be between -12 and 12" in caught.value.details()
    info = error_info(caught.value)
    assert (info.reason, info.metadata["field"]) == ("INVALID_INPUT", "pitch_shift_semitones")
    assert engine.converted == []


def test_time_stretch_rpc_keeps_the_format_and_reports_the_library(start_sidecar):
    running = start_sidecar()
    tone = (0.3 * np.sin(2 * np.pi * 150 * np.arange(16000) / 16000)).astype(np.float32)
    audio = pb.PcmAudio(
        format=pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_S16LE, sample_rate_hz=16000),
        data=np.round(tone * 32767).astype("<i2").tobytes(),
    )
    response = running.speech.TimeStretch(pb.TimeStretchRequest(audio=audio, speed=0.5), timeout=10)
    assert response.audio.format.encoding == pb.AUDIO_ENCODING_PCM_S16LE
    assert response.audio.format.sample_rate_hz == 16000
    assert abs(len(response.audio.data) / 2 / 32000 - 1) < 0.05
    assert response.library_used in (pb.STRETCH_LIBRARY_AUDIOSTRETCHY, pb.STRETCH_LIBRARY_SOX)
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.TimeStretch(pb.TimeStretchRequest(audio=audio, speed=5), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
