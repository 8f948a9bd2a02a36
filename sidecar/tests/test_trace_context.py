"""The caller's W3C `traceparent` metadata: its trace id names the call in the sidecar's log lines."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import grpc
import pytest

from chatterbox_sidecar import call_metadata

from fakes import FakeEngine
from rpc_helpers import stream_request, unary_request

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


class Context:
    """Just what call_metadata reads from a grpc.ServicerContext."""

    def __init__(self, *metadata: tuple[str, str]) -> None:
        self._metadata = tuple(SimpleNamespace(key=key, value=value) for key, value in metadata)

    def invocation_metadata(self):
        return self._metadata


def test_a_valid_traceparent_gives_its_trace_id_beside_the_request_id():
    context = Context(("x-request-id", "r-1"), ("traceparent", TRACEPARENT))
    assert call_metadata.trace_id(context) == TRACE_ID
    assert call_metadata.log_ids(context) == {"request_id": "r-1", "trace_id": TRACE_ID}


@pytest.mark.parametrize(
    "traceparent",
    [
        "",
        "garbage",
        f"01-{TRACE_ID}-00f067aa0ba902b7-01",  # only version 00 is understood
        f"ff-{TRACE_ID}-00f067aa0ba902b7-01",
        f"00-{TRACE_ID.upper()}-00f067aa0ba902b7-01",  # the spec allows lower-case hex only
        f"00-{'0' * 32}-00f067aa0ba902b7-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"00-{TRACE_ID[:-1]}-00f067aa0ba902b7-01",
        f"00-{TRACE_ID}-00f067aa0ba902b7-01-extra",
        f"00-{TRACE_ID}-00f067aa0ba902b7-1",
    ],
)
def test_a_malformed_traceparent_is_ignored(traceparent):
    context = Context(("x-request-id", "r-1"), ("traceparent", traceparent))
    assert call_metadata.trace_id(context) == ""
    assert call_metadata.log_ids(context) == {"request_id": "r-1"}


def test_no_traceparent_means_no_trace_id_field():
    assert call_metadata.log_ids(Context()) == {"request_id": ""}


def _traced(request_id: str) -> tuple[tuple[str, str], ...]:
    return (("x-request-id", request_id), ("traceparent", TRACEPARENT))


def test_the_synthesis_log_line_of_a_traced_call_carries_its_trace_id(start_sidecar, caplog):
    running = start_sidecar(FakeEngine())
    running.load()
    with caplog.at_level(logging.INFO, logger="chatterbox_sidecar"):
        list(running.speech.SynthesizeStream(stream_request("hello"), timeout=10, metadata=_traced("s-1")))
    (done,) = [r for r in caplog.records if r.getMessage() == "synthesis done"]
    assert (done.request_id, done.trace_id) == ("s-1", TRACE_ID)


def test_a_refused_traced_call_is_logged_with_its_trace_id(start_sidecar, caplog):
    running = start_sidecar(FakeEngine())  # nothing loaded: the call is refused
    with caplog.at_level(logging.INFO, logger="chatterbox_sidecar.rpc"), pytest.raises(grpc.RpcError):
        running.speech.Synthesize(unary_request("hi"), timeout=10, metadata=_traced("s-2"))
    (refused,) = [r for r in caplog.records if r.getMessage() == "rpc refused"]
    assert (refused.request_id, refused.trace_id) == ("s-2", TRACE_ID)


def test_an_untraced_call_has_no_trace_id_field(start_sidecar, caplog):
    running = start_sidecar(FakeEngine())
    running.load()
    with caplog.at_level(logging.INFO, logger="chatterbox_sidecar"):
        list(running.speech.SynthesizeStream(stream_request("hello"), timeout=10, metadata=(("x-request-id", "s-3"),)))
    (done,) = [r for r in caplog.records if r.getMessage() == "synthesis done"]
    assert done.request_id == "s-3" and not hasattr(done, "trace_id")
