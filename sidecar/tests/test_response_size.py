"""Unary responses that cannot fit in one message are refused with OUT_OF_RANGE before the work, or as
soon as the work shows it, never after all of it (1 MiB messages keep the numbers small)."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from fakes import FakeEngine
from rpc_helpers import error_info, stream_request, unary_request

# 1 MiB less the response overhead holds 245760 float32 samples (10.24 s at 24 kHz) or twice as many S16.
SMALL_MESSAGE_MB = 1
LIMIT_BYTES = 1024 * 1024 - 64 * 1024


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    failure = caught.value
    assert failure.code() == grpc.StatusCode.OUT_OF_RANGE
    info = error_info(failure)
    assert (info.reason, info.metadata["limit"]) == ("RESPONSE_TOO_LARGE", str(LIMIT_BYTES))
    return failure


def test_text_too_long_for_one_response_is_refused_before_it_is_queued(start_sidecar):
    engine = FakeEngine()
    running = start_sidecar(engine, max_message_mb=SMALL_MESSAGE_MB)
    running.load()
    # 400 characters take at least 13 s to say, even at 30 characters per second.
    texts = ["a" * 200, "b" * 200]
    failure = refused(lambda: running.speech.Synthesize(unary_request(*texts), timeout=10))
    assert "SynthesizeStream" in failure.details() and "AUDIO_ENCODING_PCM_S16LE" in failure.details()
    assert engine.calls == []
    # Half the bytes per sample fit, and so does streaming.
    s16 = running.speech.Synthesize(unary_request(*texts, encoding=pb.AUDIO_ENCODING_PCM_S16LE), timeout=10)
    assert s16.stats.audio_samples == 400 * engine.samples_per_char
    assert [r.WhichOneof("event") for r in running.speech.SynthesizeStream(stream_request(*texts), timeout=10)][
        -1
    ] == "end"


def test_a_faster_speed_makes_the_lower_bound_shorter(start_sidecar):
    engine = FakeEngine()
    running = start_sidecar(engine, max_message_mb=SMALL_MESSAGE_MB)
    running.load()
    response = running.speech.Synthesize(unary_request("a" * 200, "b" * 200, speed=2.0), timeout=10)
    assert response.stats.audio_samples > 0


def test_a_synthesis_that_turns_out_too_long_stops_before_its_remaining_segments(start_sidecar):
    engine = FakeEngine(samples_per_char=20000)  # a very slow speaker: the text alone cannot tell
    running = start_sidecar(engine, max_message_mb=SMALL_MESSAGE_MB)
    running.load()
    texts = ["one", "two", "three", "four", "five"]
    failure = refused(lambda: running.speech.Synthesize(unary_request(*texts), timeout=10))
    # 60000 + 60000 + 100000 samples fit; the fourth segment passes 245760.
    assert [call.text for call in engine.calls] == ["one", "two", "three", "four"]
    assert "the first 4 of 5 segments" in failure.details() and "SynthesizeStream" in failure.details()


def pcm_source(seconds: float, rate: int = 8000) -> pb.AudioSource:
    samples = np.zeros(int(seconds * rate), dtype="<f4")
    audio_format = pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_F32LE, sample_rate_hz=rate)
    return pb.AudioSource(pcm=pb.PcmAudio(format=audio_format, data=samples.tobytes()))


def test_a_conversion_longer_than_one_response_is_refused_before_it_runs(start_sidecar):
    engine = FakeEngine()
    running = start_sidecar(engine, max_message_mb=SMALL_MESSAGE_MB)
    running.load()
    # 11.25 s at 8 kHz is 360 kB in, but 1.08 MB out as float32 at the engine's 24 kHz.
    source = pcm_source(11.25)
    failure = refused(lambda: running.speech.Convert(pb.ConvertRequest(source=source), timeout=10))
    assert "shorter source" in failure.details() and "AUDIO_ENCODING_PCM_S16LE" in failure.details()
    assert engine.converted == []
    converted = running.speech.Convert(
        pb.ConvertRequest(source=source, encoding=pb.AUDIO_ENCODING_PCM_S16LE), timeout=10
    )
    assert len(converted.audio.data) == 2 * 90000


def test_a_time_stretch_longer_than_one_response_is_refused_before_it_runs(start_sidecar):
    running = start_sidecar(max_message_mb=SMALL_MESSAGE_MB)
    # 6 s of float32 at 24 kHz (576 kB) slowed to half speed would be 12 s, 1.15 MB.
    samples = np.zeros(6 * 24000, dtype="<f4")
    audio = pb.PcmAudio(
        format=pb.AudioFormat(encoding=pb.AUDIO_ENCODING_PCM_F32LE, sample_rate_hz=24000), data=samples.tobytes()
    )
    failure = refused(lambda: running.speech.TimeStretch(pb.TimeStretchRequest(audio=audio, speed=0.5), timeout=10))
    assert "the stretched audio would last 12 s" in failure.details()
    faster = running.speech.TimeStretch(pb.TimeStretchRequest(audio=audio, speed=2.0), timeout=10)
    assert abs(len(faster.audio.data) / 4 - 3 * 24000) < 0.05 * 3 * 24000
