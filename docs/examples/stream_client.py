"""Streams speech from the inference sidecar over gRPC and prints every event as it arrives.

Run it with the sidecar's Python, which has grpcio and the generated stubs:

    sidecar/.venv/bin/python docs/examples/stream_client.py --address 127.0.0.1:7861 \
        --text "First sentence. Second sentence. A third one." --out /tmp/speech.wav

Each line shows the milliseconds since the call started, the event, the segment index and the samples
in that chunk, so you can see the first audio arrive while later segments are still being generated.
The call carries an `x-request-id` metadata entry, which names it in the sidecar's log lines.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import grpc
import numpy as np
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

# The stubs are generated into the sidecar package by `npm run build` (never edited by hand); the
# package also holds the sidecar's default address and message limit.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sidecar"))
from chatterbox_sidecar import defaults
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2_grpc

SERVICE = "chatterbox.v1.SpeechService"
ENGINES = {"auto": pb.ENGINE_AUTO, "chatterbox": pb.ENGINE_CHATTERBOX, "espeak": pb.ENGINE_ESPEAK}
MAX_MESSAGE_BYTES = defaults.MAX_MESSAGE_MB * 1024 * 1024  # what the sidecar sends at most


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=defaults.LISTEN, help="sidecar address (config sidecar.host:sidecar.port)")
    parser.add_argument(
        "--text",
        default="The sidecar speaks one sentence at a time. Each sentence is sent as soon "
        "as it exists. So the first audio arrives long before the last sentence is ready.",
    )
    parser.add_argument("--voice", type=Path, help="reference audio file (sent as bytes)")
    parser.add_argument("--language", default="en")
    parser.add_argument("--speed", type=float, help="tempo 0.25-4.0")
    parser.add_argument("--seed", type=int, help="seed for every segment")
    parser.add_argument("--chunk-ms", type=int, default=500, help="maximum audio per message; 0 = one per segment")
    parser.add_argument("--out", type=Path, help="write the audio to this WAV file")
    parser.add_argument(
        "--load",
        choices=sorted(ENGINES),
        help="call LoadModel first (only when you run the "
        "sidecar by hand: under the Koa server its supervisor loads the model)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="deadline of the call in seconds")
    return parser.parse_args()


def split_sentences(text: str, limit: int) -> list[str]:
    """A naive sentence splitter; the Koa server has a real one. Long sentences are cut at spaces."""
    segments: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit) if " " in sentence[:limit] else limit
            segments.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if sentence:
            segments.append(sentence)
    return segments


def build_request(args: argparse.Namespace, max_chars: int) -> pb.SynthesizeStreamRequest:
    segments = [
        pb.Segment(text=text, seed=args.seed) if args.seed is not None else pb.Segment(text=text)
        for text in split_sentences(args.text, max_chars)
    ]
    synthesis = pb.SynthesisInput(segments=segments, language=args.language)
    if args.voice:
        synthesis.voice.file_bytes = args.voice.read_bytes()
    if args.speed is not None:
        synthesis.speed = args.speed
    return pb.SynthesizeStreamRequest(input=synthesis, max_chunk_ms=args.chunk_ms)


def ensure_ready(channel: grpc.Channel, speech: speech_pb2_grpc.SpeechServiceStub, load: str | None) -> pb.ModelInfo:
    if load:
        return speech.LoadModel(pb.LoadModelRequest(engine=ENGINES[load]), timeout=600).model
    status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
    if status.status != health_pb2.HealthCheckResponse.SERVING:
        sys.exit(
            f"{SERVICE} is not serving yet (no model loaded); retry, or pass --load espeak when running it by hand"
        )
    return speech.GetModelInfo(pb.GetModelInfoRequest(), timeout=5).model


def stream(
    speech: speech_pb2_grpc.SpeechServiceStub, request: pb.SynthesizeStreamRequest, timeout: float
) -> list[bytes]:
    """Prints one line per event and returns the audio chunks."""
    chunks: list[bytes] = []
    started = time.monotonic()
    metadata = (("x-request-id", f"example-{int(time.time())}"),)
    call = speech.SynthesizeStream(request, timeout=timeout, metadata=metadata)
    try:
        for event in call:
            elapsed = (time.monotonic() - started) * 1000
            kind = event.WhichOneof("event")
            if kind == "start":
                print(
                    f"{elapsed:8.0f} ms  start  {event.start.segment_count} segments, "
                    f"{pb.AudioEncoding.Name(event.start.format.encoding)} at {event.start.format.sample_rate_hz} Hz"
                )
            elif kind == "audio":
                width = 4 if request.input.encoding != pb.AUDIO_ENCODING_PCM_S16LE else 2
                samples = len(event.audio.data) // width
                final = "  (segment done)" if event.audio.segment_final else ""
                print(
                    f"{elapsed:8.0f} ms  audio  segment {event.audio.segment_index}  {samples:6d} samples "
                    f"from {event.audio.start_sample}{final}"
                )
                chunks.append(event.audio.data)
            else:
                print(f"{elapsed:8.0f} ms  end    stats:")
                print("          " + str(event.end.stats).strip().replace("\n", "\n          "))
    except KeyboardInterrupt:
        call.cancel()  # the sidecar stops before its next segment
        raise
    return chunks


def error_reason(error: grpc.RpcError) -> str:
    """The stable reason of the ErrorInfo the sidecar attaches to every error status, e.g. QUEUE_FULL."""
    status = rpc_status.from_call(error)
    for detail in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info) and info.domain == "chatterbox.v1":
            return info.reason
    return "(no reason)"


def main() -> int:
    args = parse_arguments()
    options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)]
    with grpc.insecure_channel(args.address, options=options) as channel:
        speech = speech_pb2_grpc.SpeechServiceStub(channel)
        try:
            info = ensure_ready(channel, speech, args.load)
            print(
                f"engine {pb.Engine.Name(info.engine)} ({info.engine_version}), {info.sample_rate_hz} Hz, "
                f"segments up to {info.max_segment_chars} characters"
            )
            for warning in info.warnings:
                print(f"warning: {warning}")
            chunks = stream(speech, build_request(args, info.max_segment_chars), args.timeout)
        except grpc.RpcError as error:
            print(f"failed: {error.code().name} {error_reason(error)}: {error.details()}", file=sys.stderr)
            return 1
    if args.out:
        import soundfile

        soundfile.write(str(args.out), np.frombuffer(b"".join(chunks), dtype="<f4"), info.sample_rate_hz)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
