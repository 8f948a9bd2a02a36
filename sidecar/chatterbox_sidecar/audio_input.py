"""Decoding of audio sent as input: confined file paths, whole files in memory, and raw PCM.

Every error names the request field the audio came from (e.g. `target_voice.path`), which the caller
passes down, so a client knows what to fix.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Sequence

import numpy as np
import soundfile

from . import pcm
from .engines.base import Audio
from .errors import InvalidInput, Reason, ServerFault
from .paths import confine

FFMPEG = "ffmpeg"
# ffmpeg decodes what libsndfile cannot (MP3 on older builds, AAC, ...) straight to this rate.
FFMPEG_DECODE_RATE = 24000
FFMPEG_TIMEOUT_SECONDS = 120


def from_path(path: str, allowed_roots: Sequence[str], field: str) -> Audio:
    """Reads and decodes a file that must lie inside one of `allowed_roots`."""
    real = confine(path, allowed_roots, field)
    return from_file_bytes(real.read_bytes(), field)


def from_file_bytes(data: bytes, field: str) -> Audio:
    """Decodes a whole audio file held in memory (WAV, FLAC, OGG, MP3, ...) to mono float32."""
    if not data:
        raise InvalidInput(f"{field} is an empty file", reason=Reason.UNDECODABLE_AUDIO, field=field)
    digest = hashlib.sha256(data).hexdigest()
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        samples, rate = _decode_with_ffmpeg(data, field), FFMPEG_DECODE_RATE
    return _checked(Audio(pcm.to_mono(samples), int(rate), digest), field)


def from_pcm(data: bytes, encoding: str, sample_rate: int, channels: int, field: str) -> Audio:
    """Wraps raw PCM samples (`field` names the PcmAudio message); the rate is mandatory because nothing
    else tells it."""
    if sample_rate <= 0:
        raise InvalidInput(
            f"{field}.format.sample_rate_hz must be set for raw PCM input", field=f"{field}.format.sample_rate_hz"
        )
    samples = pcm.decode(data, encoding, channels, f"{field}.data")
    return _checked(Audio(samples, sample_rate, hashlib.sha256(data).hexdigest()), field)


def _decode_with_ffmpeg(data: bytes, field: str) -> np.ndarray:
    command = [FFMPEG, "-v", "error", "-nostdin", "-i", "pipe:0"]
    command += ["-f", "f32le", "-ac", "1", "-ar", str(FFMPEG_DECODE_RATE), "pipe:1"]
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS)
    except FileNotFoundError as error:
        # The installation is broken, not the request: INTERNAL, and the log says what to install.
        raise ServerFault(
            f"ffmpeg is not installed on the sidecar's machine; it decodes the audio formats libsndfile "
            f"cannot read, such as {field} here (install the ffmpeg package)"
        ) from error
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise InvalidInput(
            f"{field} could not be decoded as audio: {detail[-1] if detail else 'unknown format'}",
            reason=Reason.UNDECODABLE_AUDIO,
            field=field,
        )
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _checked(audio: Audio, field: str) -> Audio:
    if audio.samples.size == 0:
        raise InvalidInput(f"{field} contains no samples", field=field)
    if not np.all(np.isfinite(audio.samples)):
        raise InvalidInput(f"{field} contains NaN or infinite samples", field=field)
    return audio
