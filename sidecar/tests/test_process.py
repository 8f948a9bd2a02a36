"""The sidecar as the supervisor runs it: a child process, a handshake on stdout, JSON logs on stderr."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chatterbox_sidecar.admin import ADMIN_TOKEN_ENV
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2_grpc

from fakes import make_whisper_folder

SIDECAR_DIR = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "chatterbox_sidecar", "--listen", "127.0.0.1:0", "--log-level", "debug"]
TIMEOUT = 60


def read_line(stream, timeout: float = TIMEOUT) -> str:
    """readline() with a deadline, so a broken sidecar fails the test instead of hanging it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(stream.readline).result(timeout=timeout)


def read_all(stream, timeout: float = TIMEOUT) -> str:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(stream.read).result(timeout=timeout)


def spawn(*extra: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [*COMMAND, *extra],
        cwd=SIDECAR_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        **kwargs,
    )


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def sidecar():
    process = spawn("--parent-pid", str(os.getpid()))
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(TIMEOUT)


def test_handshake_health_load_stream_and_a_clean_sigterm(sidecar):
    handshake_line = read_line(sidecar.stdout)
    handshake = json.loads(handshake_line)
    assert list(handshake) == ["event", "address", "pid"]
    assert handshake["event"] == "listening" and handshake["pid"] == sidecar.pid
    host, port = handshake["address"].rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    assert handshake_line == json.dumps(handshake, separators=(",", ":")) + "\n"
    # After the handshake stdout is closed for good: everything else goes to stderr.
    assert read_all(sidecar.stdout) == ""

    with grpc.insecure_channel(handshake["address"]) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        assert (
            health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        )
        speech = speech_pb2_grpc.SpeechServiceStub(channel)
        info = speech.LoadModel(pb.LoadModelRequest(engine=pb.ENGINE_ESPEAK), timeout=TIMEOUT).model
        assert info.engine == pb.ENGINE_ESPEAK and info.sample_rate_hz == 24000
        request = pb.SynthesizeStreamRequest(
            input=pb.SynthesisInput(
                segments=[pb.Segment(text="Hello from the sidecar."), pb.Segment(text="This is the second sentence.")]
            ),
            max_chunk_ms=250,
        )
        responses = speech.SynthesizeStream(request, timeout=TIMEOUT, metadata=(("x-request-id", "req-1"),))
        events = [r.WhichOneof("event") for r in responses]
        assert events[0] == "start" and events[-1] == "end" and events.count("audio") >= 4

    sidecar.send_signal(signal.SIGTERM)
    assert sidecar.wait(TIMEOUT) == 0
    logs = json_lines(read_all(sidecar.stderr))
    assert all({"time", "level", "msg", "logger"} <= set(entry) for entry in logs)
    messages = [entry["msg"] for entry in logs]
    assert "listening" in messages and "draining" in messages and "stopped" in messages
    assert any(e["msg"] == "synthesis done" and e["request_id"] == "req-1" for e in logs)
    # Started by hand here (no token in the environment), so it warns that LoadModel is open to anyone.
    assert [e["level"] for e in logs if "admin RPCs (LoadModel) are unguarded" in e["msg"]] == ["warn"]


def test_an_admin_token_in_the_environment_guards_load_model():
    process = spawn("--parent-pid", str(os.getpid()), env={**os.environ, ADMIN_TOKEN_ENV: "t0ken"})
    try:
        address = json.loads(read_line(process.stdout))["address"]
        with grpc.insecure_channel(address) as channel:
            speech = speech_pb2_grpc.SpeechServiceStub(channel)
            request = pb.LoadModelRequest(engine=pb.ENGINE_ESPEAK)
            with pytest.raises(grpc.RpcError) as caught:
                speech.LoadModel(request, timeout=TIMEOUT)
            assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
            metadata = (("authorization", "Bearer t0ken"), ("x-request-id", "load-1"))
            assert speech.LoadModel(request, timeout=TIMEOUT, metadata=metadata).model.engine == pb.ENGINE_ESPEAK
        process.send_signal(signal.SIGTERM)
        assert process.wait(TIMEOUT) == 0
        logs = json_lines(read_all(process.stderr))
    finally:
        if process.poll() is None:
            process.kill()
    assert not [e for e in logs if "unguarded" in e["msg"]]
    assert any(e["msg"] == "engine loaded" and e["request_id"] == "load-1" for e in logs)
    refused = [e for e in logs if e["msg"] == "rpc refused"]
    assert [(e["code"], e["reason"]) for e in refused] == [("PERMISSION_DENIED", "ADMIN_TOKEN_REQUIRED")]


def test_the_sidecar_exits_when_its_parent_is_killed():
    # A middle process spawns the sidecar with --parent-pid of itself, then is SIGKILLed.
    parent_code = (
        "import os, subprocess, sys;"
        f"p = subprocess.Popen({COMMAND!r} + ['--parent-pid', str(os.getpid())], cwd={str(SIDECAR_DIR)!r});"
        "print(p.pid, flush=True); sys.stdin.read()"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = {read_line(parent.stdout), read_line(parent.stdout)}
        handshake = next(json.loads(line) for line in lines if line.startswith("{"))
        parent.kill()
        parent.wait(TIMEOUT)
        # stderr reaches EOF only when every writer is gone: the dead parent and the exited sidecar.
        logs = json_lines(read_all(parent.stderr))
    finally:
        if parent.poll() is None:
            parent.kill()
    assert any(entry["msg"] == "parent process is gone; shutting down" for entry in logs)
    assert any(entry["msg"] == "stopped" for entry in logs)
    assert (
        not Path(f"/proc/{handshake['pid']}").exists()
        or "zombie" in Path(f"/proc/{handshake['pid']}/status").read_text()
    )


def test_a_taken_port_fails_loudly_with_exit_code_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.run(
            [sys.executable, "-m", "chatterbox_sidecar", "--listen", f"127.0.0.1:{port}"],
            cwd=SIDECAR_DIR,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    assert process.returncode == 1
    assert process.stdout == ""
    fatal = [entry for entry in json_lines(process.stderr) if entry["level"] == "fatal"]
    assert fatal and f"127.0.0.1:{port}" in fatal[0]["msg"]


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--queue-capacity", "0"), ("--stt-device", "tpu"), ("--max-queue-wait-seconds", "-1")],
)
def test_bad_flags_are_rejected_by_argparse(flag, value):
    process = subprocess.run(
        [sys.executable, "-m", "chatterbox_sidecar", flag, value],
        cwd=SIDECAR_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert process.returncode == 2 and flag in process.stderr


def test_the_speech_recognition_flags_reach_the_sidecar(tmp_path):
    make_whisper_folder(tmp_path, "base.en")
    flags = ["--whisper-dir", str(tmp_path), "--stt-device", "cpu", "--stt-memory-mb", "500"]
    process = spawn("--parent-pid", str(os.getpid()), *flags, "--stt-queue-capacity", "2", "--allow-download")
    try:
        address = json.loads(read_line(process.stdout))["address"]
        with grpc.insecure_channel(address) as channel:
            speech = speech_pb2_grpc.SpeechServiceStub(channel)
            listing = speech.ListTranscriptionModels(pb.ListTranscriptionModelsRequest(), timeout=TIMEOUT)
        process.send_signal(signal.SIGTERM)
        assert process.wait(TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert listing.memory_budget_mb == 500 and listing.default_model == "base.en"
    installed = [model.name for model in listing.models if model.installed]
    assert installed == ["base.en"] and len(listing.models) == 12, "downloads allowed: every known name is listed"
