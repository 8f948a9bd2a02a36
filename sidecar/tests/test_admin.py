"""LoadModel is an admin RPC: with an admin token set, only callers that send it may swap the engine."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2

from chatterbox_sidecar.admin import ADMIN_TOKEN_ENV, take_admin_token
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb

from rpc_helpers import SERVICE, error_info, health, unary_request

TOKEN = "0123456789abcdef-admin"


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


@pytest.mark.parametrize(
    "metadata,expected",
    [(None, "send the admin token"), (bearer("guess"), "is not this sidecar's"), (bearer(""), "send the admin")],
    ids=["no token", "wrong token", "empty token"],
)
def test_load_model_without_the_admin_token_is_permission_denied(start_sidecar, metadata, expected):
    running = start_sidecar(admin_token=TOKEN)
    with pytest.raises(grpc.RpcError) as caught:
        running.load(metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "LoadModel is an admin RPC" in caught.value.details() and expected in caught.value.details()
    assert error_info(caught.value).reason == "ADMIN_TOKEN_REQUIRED"
    assert running.loads == [], "no engine was loaded"


def test_the_admin_token_loads_and_other_rpcs_never_need_it(start_sidecar):
    running = start_sidecar(admin_token=TOKEN)
    loaded = running.load(metadata=bearer(TOKEN))
    assert len(running.loads) == 1
    assert health(running, SERVICE) == health_pb2.HealthCheckResponse.SERVING
    assert running.speech.GetModelInfo(pb.GetModelInfoRequest(), timeout=5).model == loaded.model
    assert running.speech.GetStatus(pb.GetStatusRequest(), timeout=5).state == pb.GetStatusResponse.STATE_READY
    assert running.speech.Synthesize(unary_request("hello"), timeout=10).stats.audio_samples > 0


def test_without_a_token_load_model_is_open_and_the_start_says_so_once(start_sidecar, caplog):
    with caplog.at_level(logging.WARNING, logger="chatterbox_sidecar.server"):
        running = start_sidecar()
    running.load()
    unguarded = [r for r in caplog.records if "unguarded" in r.getMessage()]
    assert len(unguarded) == 1 and ADMIN_TOKEN_ENV in unguarded[0].getMessage()


def test_with_a_token_the_start_does_not_warn(start_sidecar, caplog):
    with caplog.at_level(logging.WARNING, logger="chatterbox_sidecar.server"):
        start_sidecar(admin_token=TOKEN)
    assert not [r for r in caplog.records if "unguarded" in r.getMessage()]


def test_the_token_is_taken_out_of_the_environment_so_subprocesses_never_see_it(monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    assert take_admin_token(os.environ) == TOKEN
    assert ADMIN_TOKEN_ENV not in os.environ
    child = subprocess.run(
        [sys.executable, "-c", f"import os; print(os.environ.get({ADMIN_TOKEN_ENV!r}, 'absent'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "absent"


def test_an_empty_token_variable_means_no_token(monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "")
    assert take_admin_token(os.environ) is None
    assert ADMIN_TOKEN_ENV not in os.environ
