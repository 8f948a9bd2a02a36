"""Command line: `python -m chatterbox_sidecar --listen 127.0.0.1:0 --parent-pid 1234 ...`.

Stdout carries exactly one line, the handshake, then is pointed at stderr, so anything a library prints
later cannot corrupt the protocol. Logs are JSON lines on stderr. The sidecar never reads config.yaml:
the supervisor passes flags here, the admin token in CHATTERBOX_SIDECAR_ADMIN_TOKEN, and a LoadModel call
over gRPC. Flag defaults come from defaults.json, which the server's config schema reads too.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

# Before any model library is imported: tqdm progress bars would flood the log with carriage returns.
os.environ.setdefault("TQDM_DISABLE", "1")

from . import defaults
from .admin import take_admin_token
from .jsonlog import FLAG_LEVELS, configure_logging
from .parent_watch import watch_parent
from .server import BindError, Settings, Sidecar
from .stt import whisper_backend

log = logging.getLogger("chatterbox_sidecar")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The flags the supervisor passes; see sidecar/README.md."""
    parser = argparse.ArgumentParser(prog="python -m chatterbox_sidecar", description="Chatterbox inference sidecar")
    parser.add_argument("--listen", default=defaults.LISTEN, help="host:port to serve gRPC on; port 0 picks a free one")
    parser.add_argument("--log-level", default="info", choices=sorted(FLAG_LEVELS))
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process dies")
    parser.add_argument(
        "--allowed-root",
        action="append",
        default=[],
        metavar="DIR",
        help="directory AudioSource.path may point into (repeatable); none = paths refused",
    )
    parser.add_argument(
        "--queue-capacity",
        type=_positive_int,
        default=defaults.QUEUE_CAPACITY,
        help="jobs that may wait for the worker",
    )
    parser.add_argument(
        "--max-queue-wait-seconds",
        type=_non_negative_float,
        default=defaults.MAX_QUEUE_WAIT_SECONDS,
        help="seconds a job may wait to start, in either queue, before it is refused (RESOURCE_EXHAUSTED); "
        "0 = until its deadline",
    )
    parser.add_argument(
        "--max-message-mb", type=_positive_int, default=defaults.MAX_MESSAGE_MB, help="gRPC send and receive limit"
    )
    parser.add_argument(
        "--grace-seconds", type=float, default=defaults.GRACE_SECONDS, help="time the running job gets on SIGTERM"
    )
    _add_speech_recognition_arguments(parser)
    return parser.parse_args(argv)


def _add_speech_recognition_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("speech recognition (faster-whisper)")
    group.add_argument(
        "--whisper-dir", default=None, metavar="DIR", help="folder of Whisper models, one CTranslate2 folder per name"
    )
    group.add_argument("--stt-device", default="auto", choices=whisper_backend.DEVICES)
    group.add_argument(
        "--stt-memory-mb",
        type=_positive_int,
        default=defaults.STT_MEMORY_MB,
        help="memory the loaded recognition models may take; least recently used ones are evicted",
    )
    group.add_argument(
        "--stt-queue-capacity",
        type=_positive_int,
        default=defaults.STT_QUEUE_CAPACITY,
        help="transcriptions that may wait for the speech-recognition worker",
    )
    group.add_argument(
        "--allow-download", action="store_true", help="fetch known Whisper models that are not installed from the hub"
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a finite number of at least 0, got {text}")
    return value


def announce(address: str) -> None:
    """Writes the handshake line, then makes fd 1 a copy of stderr for the rest of the process."""
    handshake = json.dumps({"event": "listening", "address": address, "pid": os.getpid()}, separators=(",", ":"))
    sys.stdout.write(handshake + "\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    """Runs until SIGTERM/SIGINT or the parent's death; returns the exit code."""
    # First of all, before anything could start a subprocess that would inherit it.
    admin_token = take_admin_token(os.environ)
    args = parse_arguments(argv)
    configure_logging(args.log_level)
    settings = Settings(
        listen=args.listen,
        allowed_roots=tuple(os.path.realpath(r) for r in args.allowed_root),
        queue_capacity=args.queue_capacity,
        max_message_mb=args.max_message_mb,
        grace_seconds=args.grace_seconds,
        admin_token=admin_token,
        whisper_dir=os.path.realpath(args.whisper_dir) if args.whisper_dir else None,
        stt_device=args.stt_device,
        stt_memory_mb=args.stt_memory_mb,
        stt_queue_capacity=args.stt_queue_capacity,
        max_queue_wait_seconds=args.max_queue_wait_seconds,
        allow_download=args.allow_download,
    )
    sidecar = Sidecar(settings)
    try:
        address = sidecar.start()
    except BindError as error:
        log.critical(str(error))
        return 1
    log.info(
        "listening",
        extra={
            "address": address,
            "pid": os.getpid(),
            "allowed_roots": list(settings.allowed_roots),
            "whisper_dir": settings.whisper_dir,
        },
    )
    announce(address)
    grace = _wait_for_stop_request(args.parent_pid, args.grace_seconds)
    sidecar.stop(grace)
    return 0


def _wait_for_stop_request(parent_pid: int | None, grace_seconds: float) -> float:
    """Blocks until a stop is requested; returns the grace period that applies to it."""
    requested = threading.Event()
    grace = {"seconds": grace_seconds}

    def on_signal(signum: int, _frame: object) -> None:
        log.info("stop requested", extra={"signal": signal.Signals(signum).name})
        requested.set()

    def on_parent_gone() -> None:
        grace["seconds"] = 0.0  # nobody is left to receive the running job's audio
        requested.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if parent_pid is not None:
        watch_parent(parent_pid, on_parent_gone)
    requested.wait()
    return grace["seconds"]


if __name__ == "__main__":
    sys.exit(main())
