"""Walks the whole exception -> status table through a real gRPC server on port 0, reading the statuses
and their google.rpc.ErrorInfo details the way a client does."""

from __future__ import annotations

import importlib.util
import logging

import grpc
import pytest

from chatterbox_sidecar import errors
from chatterbox_sidecar.server import create_grpc_server

from rpc_helpers import error_info, with_request_id

ROWS = [(error_class, code) for error_class, code in errors.STATUS_BY_ERROR]
UNEXPECTED = [ValueError, KeyError, AssertionError, RuntimeError]


def _raising_server(exceptions: list[BaseException]) -> tuple[grpc.Server, grpc.Channel]:
    """A service whose methods raise exceptions[int(request)]: unary at once, streaming after one message."""

    def unary(request: bytes, context: grpc.ServicerContext) -> bytes:
        raise exceptions[int(request)]

    def stream(request: bytes, context: grpc.ServicerContext):
        yield b"first"
        raise exceptions[int(request)]

    def aborting(request: bytes, context: grpc.ServicerContext) -> bytes:
        context.abort(grpc.StatusCode.ALREADY_EXISTS, "aborted by the handler itself")

    handler = grpc.method_handlers_generic_handler(
        "test.Raiser",
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "Stream": grpc.unary_stream_rpc_method_handler(stream),
            "Abort": grpc.unary_unary_rpc_method_handler(aborting),
        },
    )
    server = create_grpc_server(1024 * 1024, 4)
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, grpc.insecure_channel(f"127.0.0.1:{port}")


@pytest.fixture(scope="module")
def raiser():
    exceptions: list[BaseException] = []
    server, channel = _raising_server(exceptions)
    yield exceptions, channel
    channel.close()
    server.stop(0)


def _call(raiser, error: BaseException, streaming: bool, request_id: str = "") -> grpc.RpcError:
    exceptions, channel = raiser
    exceptions.append(error)
    request = str(len(exceptions) - 1).encode()
    metadata = with_request_id(request_id) if request_id else None
    with pytest.raises(grpc.RpcError) as caught:
        if streaming:
            responses = channel.unary_stream("/test.Raiser/Stream")(request, timeout=10, metadata=metadata)
            assert next(responses) == b"first"  # the error comes after audio already sent
            next(responses)
        else:
            channel.unary_unary("/test.Raiser/Unary")(request, timeout=10, metadata=metadata)
    return caught.value


@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "mid-stream"])
@pytest.mark.parametrize("error_class,code", ROWS, ids=[row[0].__name__ for row in ROWS])
def test_every_table_row_maps_to_its_status_and_reason(raiser, error_class, code, streaming):
    failure = _call(raiser, error_class("precise reason"), streaming)
    assert failure.code() == code
    assert failure.details() == "precise reason"
    info = error_info(failure)
    assert (info.domain, info.reason, dict(info.metadata)) == ("chatterbox.v1", error_class.reason, {})


def test_every_error_class_has_its_own_stable_reason():
    reasons = [error_class.reason for error_class, _ in ROWS]
    assert len(set(reasons)) == len(reasons)
    assert all(reason.isupper() and " " not in reason for reason in reasons)


@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "mid-stream"])
def test_an_instance_may_narrow_the_reason_and_add_metadata(raiser, streaming):
    error = errors.InvalidInput(
        "input.segments[3].text is too long",
        reason=errors.Reason.SEGMENT_TOO_LONG,
        field="input.segments[3].text",
        limit=300,
    )
    failure = _call(raiser, error, streaming)
    assert failure.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(failure)
    assert info.reason == "SEGMENT_TOO_LONG"
    assert dict(info.metadata) == {"field": "input.segments[3].text", "limit": "300"}


def test_refusals_are_logged_with_the_reason_and_the_callers_request_id(raiser, caplog):
    with caplog.at_level(logging.INFO, logger="chatterbox_sidecar.rpc"):
        _call(raiser, errors.QueueFull("the queue is full"), streaming=False, request_id="req-42")
    (record,) = [r for r in caplog.records if r.getMessage() == "rpc refused"]
    assert (record.request_id, record.reason, record.code) == ("req-42", "QUEUE_FULL", "RESOURCE_EXHAUSTED")
    assert record.detail == "the queue is full"


@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "mid-stream"])
@pytest.mark.parametrize("error_class", UNEXPECTED, ids=[c.__name__ for c in UNEXPECTED])
def test_anything_else_is_internal_with_a_generic_message_and_a_logged_traceback(
    raiser, error_class, streaming, caplog
):
    with caplog.at_level(logging.ERROR, logger="chatterbox_sidecar.rpc"):
        failure = _call(raiser, error_class("secret internals"), streaming)
    assert failure.code() == grpc.StatusCode.INTERNAL
    assert failure.details() == errors.GENERIC_INTERNAL_MESSAGE
    assert "secret internals" not in failure.details()
    assert error_info(failure).reason == "INTERNAL" and not error_info(failure).metadata
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
    assert logged and "secret internals" in str(logged[-1].exc_info[1])


def test_a_server_fault_is_internal_and_only_the_log_says_what_is_missing(raiser, caplog):
    with caplog.at_level(logging.ERROR, logger="chatterbox_sidecar.rpc"):
        failure = _call(raiser, errors.ServerFault("ffmpeg is not installed"), streaming=False, request_id="req-9")
    assert failure.code() == grpc.StatusCode.INTERNAL
    assert failure.details() == errors.GENERIC_INTERNAL_MESSAGE
    (record,) = [r for r in caplog.records if r.getMessage() == "rpc failed"]
    assert str(record.exc_info[1]) == "ffmpeg is not installed" and record.request_id == "req-9"


def test_running_out_of_memory_is_resource_exhausted(raiser):
    failure = _call(raiser, MemoryError(), streaming=True)
    assert failure.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "ran out of memory" in failure.details()
    assert error_info(failure).reason == "OUT_OF_MEMORY"


def test_an_empty_message_falls_back_to_the_status_name(raiser):
    failure = _call(raiser, errors.QueueFull(), streaming=False)
    assert failure.details() == "resource exhausted"
    assert error_info(failure).reason == "QUEUE_FULL"


def test_a_handler_that_aborts_itself_keeps_its_status(raiser):
    _, channel = raiser
    with pytest.raises(grpc.RpcError) as caught:
        channel.unary_unary("/test.Raiser/Abort")(b"", timeout=10)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_out_of_memory_is_resource_exhausted(raiser):
    import torch

    failure = _call(raiser, torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"), streaming=True)
    assert failure.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_info(failure).reason == "OUT_OF_MEMORY"
