"""Decoding of audio sent as input: confined file paths, whole files in memory, and raw PCM."""

from __future__ import annotations

import hashlib
import io
import subprocess
from typing import Sequence

import numpy as np
import soundfile

from . import pcm
from .engines.base import Audio
from .errors import InvalidInput
from .paths import confine

# ffmpeg decodes what libsndfile cannot (MP3 on older builds, AAC, ...) straight to this rate.
FFMPEG_DECODE_RATE = 24000
FFMPEG_TIMEOUT_SECONDS = 120


def from_path(path: str, allowed_roots: Sequence[str]) -> Audio:
    """Reads and decodes a file that must lie inside one of `allowed_roots`."""
    real = confine(path, allowed_roots)
    return from_file_bytes(real.read_bytes())


def from_file_bytes(data: bytes) -> Audio:
    """Decodes a whole audio file held in memory (WAV, FLAC, OGG, MP3, ...) to mono float32."""
    if not data:
        raise InvalidInput("audio file is empty")
    digest = hashlib.sha256(data).hexdigest()
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        samples, rate = _decode_with_ffmpeg(data), FFMPEG_DECODE_RATE
    return _checked(Audio(pcm.to_mono(samples), int(rate), digest))


def from_pcm(data: bytes, encoding: str, sample_rate: int, channels: int) -> Audio:
    """Wraps raw PCM samples; the rate is mandatory because nothing else tells it."""
    if sample_rate <= 0:
        raise InvalidInput("pcm.format.sample_rate_hz must be set for raw PCM input")
    samples = pcm.decode(data, encoding, channels)
    return _checked(Audio(samples, sample_rate, hashlib.sha256(data).hexdigest()))


def _decode_with_ffmpeg(data: bytes) -> np.ndarray:
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-i",
        "pipe:0",
        "-f",
        "f32le",
        "-ac",
        "1",
        "-ar",
        str(FFMPEG_DECODE_RATE),
        "pipe:1",
    ]
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS)
    except FileNotFoundError as error:
        raise InvalidInput("audio format not readable by libsndfile, and ffmpeg is not installed") from error
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise InvalidInput(f"could not decode the audio file: {detail[-1] if detail else 'unknown format'}")
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _checked(audio: Audio) -> Audio:
    if audio.samples.size == 0:
        raise InvalidInput("audio contains no samples")
    if not np.all(np.isfinite(audio.samples)):
        raise InvalidInput("audio contains NaN or infinite samples")
    return audio
