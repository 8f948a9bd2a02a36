"""Scheduling through the real gRPC server: cancellation, status while busy, admission, priorities, drain,
failures."""

from __future__ import annotations

import logging
import threading

import grpc
import pytest
from grpc_health.v1 import health_pb2

from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from fakes import SAMPLES_PER_CHAR, FakeEngine
from rpc_helpers import SERVICE, error_info, health, stream_request, unary_request, with_request_id


def test_an_engine_failure_mid_stream_ends_it_with_internal_after_the_audio_already_sent(start_sidecar):
    engine = FakeEngine()
    engine.fail_at = 1
    running = start_sidecar(engine)
    running.load()
    received = []
    with pytest.raises(grpc.RpcError) as caught:
        for response in running.speech.SynthesizeStream(stream_request("first", "second"), timeout=10):
            received.append(response.WhichOneof("event"))
    assert received == ["start", "audio"]
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == "inference failed; see sidecar log"
    assert error_info(caught.value).reason == "INTERNAL"


class HoldLastSegment(FakeEngine):
    """Blocks the last segment of a three-segment text until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.last_started = threading.Event()
        self.release_last = threading.Event()

    def synthesize(self, request):
        if request.text == "third":
            self.last_started.set()
            assert self.release_last.wait(10), "test never released the last segment"
        return super().synthesize(request)


def test_first_audio_arrives_while_the_last_segment_is_still_being_synthesized(start_sidecar):
    engine = HoldLastSegment()
    running = start_sidecar(engine)
    running.load()
    responses = running.speech.SynthesizeStream(stream_request("first", "second", "third"), timeout=10)
    assert next(responses).WhichOneof("event") == "start"
    first_audio = next(responses)
    assert first_audio.WhichOneof("event") == "audio" and first_audio.audio.segment_index == 0
    assert not engine.release_last.is_set(), "the last segment was not held, so the order proves nothing"
    engine.release_last.set()
    rest = [response.WhichOneof("event") for response in responses]
    assert engine.last_started.is_set()
    assert rest[-1] == "end"


def _stream_held_in_its_first_segment(start_sidecar, request_id):
    """A three-segment stream whose engine is held inside segment "one": (engine, running sidecar, responses)."""
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine)
    running.load()
    responses = running.speech.SynthesizeStream(
        stream_request("one", "two", "three"), timeout=10, metadata=with_request_id(request_id)
    )
    assert next(responses).WhichOneof("event") == "start"
    assert engine.entered.wait(5)
    return engine, running, responses


def test_cancelling_the_call_stops_the_work_before_the_next_segment(start_sidecar):
    engine, running, responses = _stream_held_in_its_first_segment(start_sidecar, "r1")
    job = running.sidecar.worker.running_job()
    assert job is not None and job.request_id == "r1"
    responses.cancel()
    assert job.cancel_event.wait(5), "the server never saw the cancellation"
    engine.gate.set()
    # The worker is serial: once a later request completes, the cancelled one has stopped.
    running.speech.Synthesize(unary_request("later"), timeout=10)
    assert [call.text for call in engine.calls] == ["one", "later"]


def test_a_cancelled_synthesis_logs_how_many_of_its_segments_were_spoken(start_sidecar, caplog):
    engine, running, responses = _stream_held_in_its_first_segment(start_sidecar, "r2")
    with caplog.at_level(logging.INFO, logger="chatterbox_sidecar.servicer"):
        responses.cancel()
        assert running.sidecar.worker.running_job().cancel_event.wait(5)
        engine.gate.set()  # segment "one" ends; its audio has nowhere to go, so the work stops there
        running.speech.Synthesize(unary_request("later"), timeout=10)  # the serial worker is past r2 now
    (cancelled,) = [record for record in caplog.records if record.getMessage() == "synthesis cancelled"]
    assert (cancelled.request_id, cancelled.engine) == ("r2", "espeak")
    assert (cancelled.segments_spoken, cancelled.segments) == (1, 3)
    assert not [
        record for record in caplog.records if record.getMessage() == "synthesis done" and record.request_id == "r2"
    ]


def test_status_and_health_answer_while_a_synthesis_runs(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine)
    running.load()
    future = running.speech.Synthesize.future(unary_request("slow"), timeout=10, metadata=with_request_id("busy-1"))
    assert engine.entered.wait(5)
    status = running.speech.GetStatus(pb.GetStatusRequest(), timeout=5)
    assert status.state == pb.GetStatusResponse.STATE_BUSY
    assert status.running_request_id == "busy-1"
    assert health(running, SERVICE) == health_pb2.HealthCheckResponse.SERVING
    engine.gate.set()
    assert future.result().stats.audio_samples == 4 * SAMPLES_PER_CHAR
    assert running.speech.GetStatus(pb.GetStatusRequest(), timeout=5).state == pb.GetStatusResponse.STATE_READY


def test_a_full_queue_is_resource_exhausted(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine, queue_capacity=1)
    running.load()
    running_call = running.speech.Synthesize.future(unary_request("runs"), timeout=10)
    assert engine.entered.wait(5)
    queued_call = running.speech.Synthesize.future(unary_request("waits"), timeout=10)
    assert running.sidecar.worker.wait_until(lambda s: s.queue_depth == 1, timeout=5)
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("refused"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "queue is full" in caught.value.details()
    assert error_info(caught.value).reason == "QUEUE_FULL"
    status = running.speech.GetStatus(pb.GetStatusRequest(), timeout=5)
    assert (status.queue_depth, status.queue_capacity) == (1, 1)
    engine.gate.set()
    assert running_call.result().stats.audio_samples and queued_call.result().stats.audio_samples


def test_a_call_that_waits_past_the_max_queue_wait_is_resource_exhausted(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine, max_queue_wait_seconds=0.2)
    running.load()
    running_call = running.speech.Synthesize.future(unary_request("runs"), timeout=10)
    assert engine.entered.wait(5)
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("waits"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert caught.value.details() == "waited 0.2 s in the inference queue without starting; retry later"
    assert error_info(caught.value).reason == "QUEUE_FULL"
    assert not running_call.done(), "the running call goes on"
    engine.gate.set()
    assert running_call.result().stats.audio_samples
    assert [call.text for call in engine.calls] == ["runs"]


def test_an_interactive_call_queued_after_a_batch_call_starts_first(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine)
    running.load()
    running_call = running.speech.Synthesize.future(unary_request("runs"), timeout=10)
    assert engine.entered.wait(5)
    batch_call = running.speech.Synthesize.future(
        unary_request("batch"), timeout=10, metadata=(("x-priority", "batch"),)
    )
    assert running.sidecar.worker.wait_until(lambda s: s.queue_depth == 1, timeout=5)
    interactive_call = running.speech.SynthesizeStream(
        stream_request("interactive"), timeout=10, metadata=(("x-priority", "interactive"),)
    )
    assert next(interactive_call).WhichOneof("event") == "start"
    assert running.sidecar.worker.wait_until(lambda s: s.queue_depth == 2, timeout=5)
    engine.gate.set()
    assert [r.WhichOneof("event") for r in interactive_call][-1] == "end"
    assert running_call.result().stats.audio_samples and batch_call.result().stats.audio_samples
    assert [call.text for call in engine.calls] == ["runs", "interactive", "batch"]


def test_an_interactive_call_is_spoken_between_two_segments_of_a_running_batch_call(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine)
    running.load()
    batch_call = running.speech.SynthesizeStream(
        stream_request("batch one", "batch two", "batch three"), timeout=10, metadata=(("x-priority", "batch"),)
    )
    assert next(batch_call).WhichOneof("event") == "start"
    assert engine.entered.wait(5)
    interactive_call = running.speech.SynthesizeStream(
        stream_request("interactive"), timeout=10, metadata=(("x-priority", "interactive"),)
    )
    assert next(interactive_call).WhichOneof("event") == "start"
    assert running.sidecar.worker.wait_until(lambda s: s.queue_depth == 1, timeout=5)
    engine.gate.set()
    assert [r.WhichOneof("event") for r in interactive_call][-1] == "end"
    assert [r.WhichOneof("event") for r in batch_call][-1] == "end"
    # The batch call's first segment was under way; the interactive one went before its second.
    assert [call.text for call in engine.calls] == ["batch one", "interactive", "batch two", "batch three"]


def test_an_unknown_priority_is_invalid_argument(start_sidecar):
    running = start_sidecar()
    running.load()
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("hello"), timeout=10, metadata=(("x-priority", "urgent"),))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details() == "x-priority must be one of interactive, standard, batch, got 'urgent'"
    info = error_info(caught.value)
    assert (info.reason, info.metadata["field"]) == ("INVALID_INPUT", "x-priority")


def test_draining_refuses_new_work_aborts_queued_jobs_and_lets_the_running_one_finish(start_sidecar):
    engine = FakeEngine()
    engine.gate = threading.Event()
    running = start_sidecar(engine)
    running.load()
    running_call = running.speech.SynthesizeStream(stream_request("runs", "on"), timeout=10)
    assert next(running_call).WhichOneof("event") == "start"
    assert engine.entered.wait(5)
    queued_call = running.speech.Synthesize.future(unary_request("queued"), timeout=10)
    assert running.sidecar.worker.wait_until(lambda s: s.queue_depth == 1, timeout=5)
    stopper = threading.Thread(target=running.sidecar.stop, args=(10,))
    stopper.start()
    assert running.sidecar.worker.wait_until(lambda s: s.state == "draining", timeout=5)
    with pytest.raises(grpc.RpcError) as caught:
        queued_call.result()
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(caught.value).reason == "DRAINING"
    with pytest.raises(grpc.RpcError) as caught:
        running.speech.Synthesize(unary_request("new"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert health(running, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
    assert running.speech.GetStatus(pb.GetStatusRequest(), timeout=5).state == pb.GetStatusResponse.STATE_DRAINING
    engine.gate.set()
    assert [r.WhichOneof("event") for r in running_call] == ["audio", "audio", "end"]
    stopper.join(10)
    assert not stopper.is_alive()
