"""Raw PCM conversions: float32 samples <-> little-endian F32/S16 bytes, mono mixing and resampling."""

from __future__ import annotations

import numpy as np
import soxr

from .errors import InvalidInput

F32LE = "f32le"
S16LE = "s16le"
_BYTES_PER_SAMPLE = {F32LE: 4, S16LE: 2}


def bytes_per_sample(encoding: str) -> int:
    """Size of one mono sample in `encoding`."""
    return _BYTES_PER_SAMPLE[encoding]


def encode(samples: np.ndarray, encoding: str) -> bytes:
    """Float samples in [-1, 1] as raw little-endian bytes. S16 clips, because wrapping would click."""
    if encoding == F32LE:
        return np.asarray(samples, dtype="<f4").tobytes()
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return np.round(clipped * 32767.0).astype("<i2").tobytes()


def decode(data: bytes, encoding: str, channels: int, field: str) -> np.ndarray:
    """Raw little-endian bytes as mono float32; interleaved channels are averaged. Errors name `field`."""
    width = _BYTES_PER_SAMPLE[encoding]
    frame = width * max(channels, 1)
    if len(data) % frame:
        raise InvalidInput(
            f"{field} has {len(data)} bytes, not a multiple of {frame} ({encoding}, {channels} channel(s))",
            field=field,
        )
    if encoding == F32LE:
        samples = np.frombuffer(data, dtype="<f4").astype(np.float32)
    else:
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if not np.all(np.isfinite(samples)):
        raise InvalidInput(f"{field} contains NaN or infinite samples", field=field)
    return to_mono(samples.reshape(-1, max(channels, 1)))


def to_mono(samples: np.ndarray) -> np.ndarray:
    """(frames,) or (frames, channels) float audio as (frames,) float32, channels averaged."""
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim == 2:
        array = array.mean(axis=1)
    return np.ascontiguousarray(array.reshape(-1), dtype=np.float32)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """High-quality resampling (soxr); returns the input unchanged when the rates match."""
    if from_rate == to_rate or samples.size == 0:
        return np.asarray(samples, dtype=np.float32)
    return soxr.resample(np.asarray(samples, dtype=np.float32), from_rate, to_rate).astype(np.float32)
