"""WORLD vocoder plumbing for voice_shift.py: F0 tracks on WORLD's frame grid, spectral envelopes, and
block-wise resynthesis with a moved F0 and a frequency-stretched envelope.

WORLD keeps a 1025-bin envelope and aperiodicity per 5 ms frame in float64, about 330 MB per minute
of audio for the pair. Long recordings are therefore analysed and resynthesized in blocks of about
BLOCK_SECONDS, cut where the speech is unvoiced and cross-faded over a few frames, so memory stays flat
whatever the length and no cut falls inside a pitch-pulse train.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import pcm
from .pitch import MIN_F0_HZ, frame_f0

with warnings.catch_warnings():
    # pyworld 0.3.5 imports pkg_resources only to read its own version; that import warns on every start.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import pyworld

RATE = 24000
FRAME_PERIOD_MS = 5.0
HOP_SAMPLES = int(RATE * FRAME_PERIOD_MS / 1000)
# CheapTrick's window follows F0; its floor must match the lowest F0 YIN reports, or frames below it are
# analysed as 500 Hz. This floor gives a 2048-point FFT at 24 kHz, so envelopes have 1025 bins.
FFT_SIZE = pyworld.get_cheaptrick_fft_size(RATE, MIN_F0_HZ)
BLOCK_SECONDS = 20.0
# A block boundary moves up to this far to land in an unvoiced stretch.
CUT_SEARCH_SECONDS = 2.0
# Neighbouring blocks share 2 x this many frames, across which one fades out as the next fades in.
OVERLAP_FRAMES = 4


@dataclass(frozen=True)
class Track:
    """A recording at RATE with its F0 on WORLD's frame grid (frame i at i x FRAME_PERIOD_MS)."""

    audio: np.ndarray  # float64 at RATE
    f0: np.ndarray  # Hz per frame, 0 where unvoiced (WORLD's convention)
    times: np.ndarray  # seconds per frame


def track(samples: np.ndarray, sample_rate: int) -> Track:
    """The recording resampled to RATE and its YIN F0 contour, one value per WORLD frame."""
    audio = pcm.resample(pcm.to_mono(samples), sample_rate, RATE).astype(np.float64)
    frames = audio.size // HOP_SAMPLES + 1
    f0 = _fit(frame_f0(audio, RATE, FRAME_PERIOD_MS / 1000.0), frames, np.nan)
    times = np.arange(frames) * FRAME_PERIOD_MS / 1000.0
    return Track(audio, np.ascontiguousarray(np.nan_to_num(f0, nan=0.0)), times)


def envelopes(recording: Track, frames: np.ndarray) -> np.ndarray:
    """CheapTrick's power spectral envelopes at the given frame indices, shape (len(frames), bins)."""
    f0 = np.ascontiguousarray(recording.f0[frames])
    return pyworld.cheaptrick(
        recording.audio, f0, np.ascontiguousarray(recording.times[frames]), RATE, fft_size=FFT_SIZE
    )


def render(recording: Track, pitch_ratio: float, formant_ratio: float) -> np.ndarray:
    """The recording resynthesized with every voiced F0 times `pitch_ratio` and its formants moved by
    `formant_ratio`; float64, exactly as long as the recording."""
    frames = recording.f0.size
    output = np.zeros(frames * HOP_SAMPLES)
    for first, stop in block_ranges(recording.f0):
        piece = _render_block(recording, np.arange(first, stop), pitch_ratio, formant_ratio)
        if stop < frames:
            # WORLD renders one hop past the block's last frame; that stretch belongs to the next block.
            piece = piece[: (stop - 1 - first) * HOP_SAMPLES + 1]
        _fade_edges(piece, fade_in=first > 0, fade_out=stop < frames)
        start = first * HOP_SAMPLES
        output[start : start + piece.size] += piece
    return output[: recording.audio.size]


def block_ranges(f0: np.ndarray) -> list[tuple[int, int]]:
    """Frame ranges [first, stop) of the blocks, overlapping by 2 x OVERLAP_FRAMES around each cut."""
    cuts = [0, *_cuts(f0), f0.size]
    return [
        (max(cuts[i] - OVERLAP_FRAMES, 0), min(cuts[i + 1] + OVERLAP_FRAMES, f0.size)) for i in range(len(cuts) - 1)
    ]


def warp_frequency(spectra: np.ndarray, ratio: float) -> np.ndarray:
    """Each frame's spectrum stretched along frequency: what was at f moves to f x ratio."""
    if ratio == 1.0:
        return spectra
    bins = spectra.shape[1]
    position = np.minimum(np.arange(bins) / ratio, bins - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, bins - 1)
    weight = position - below
    # pyworld takes C-contiguous arrays only; fancy indexing already returns fresh ones.
    return np.ascontiguousarray(spectra[:, below] * (1.0 - weight) + spectra[:, above] * weight)


def _render_block(recording: Track, frames: np.ndarray, pitch_ratio: float, formant_ratio: float) -> np.ndarray:
    f0 = np.ascontiguousarray(recording.f0[frames])
    times = np.ascontiguousarray(recording.times[frames])
    envelope = pyworld.cheaptrick(recording.audio, f0, times, RATE, fft_size=FFT_SIZE)
    # threshold 0: our YIN already decided which frames are voiced; D4C must not turn them into noise.
    aperiodicity = pyworld.d4c(recording.audio, f0, times, RATE, threshold=0.0, fft_size=FFT_SIZE)
    return pyworld.synthesize(
        f0 * pitch_ratio,  # unvoiced frames stay 0
        warp_frequency(envelope, formant_ratio),
        warp_frequency(aperiodicity, formant_ratio),
        RATE,
        FRAME_PERIOD_MS,
    )


def _cuts(f0: np.ndarray) -> list[int]:
    """Block boundaries every BLOCK_SECONDS, each moved to the nearest unvoiced stretch within reach."""
    block = int(BLOCK_SECONDS * 1000 / FRAME_PERIOD_MS)
    reach = int(CUT_SEARCH_SECONDS * 1000 / FRAME_PERIOD_MS)
    quiet = _unvoiced_around(f0)
    cuts = []
    for nominal in range(block, f0.size - block // 2, block):
        candidates = np.nonzero(quiet[max(nominal - reach, 0) : nominal + reach])[0] + max(nominal - reach, 0)
        cut = int(candidates[np.argmin(np.abs(candidates - nominal))]) if candidates.size else nominal
        if not cuts or cut > cuts[-1] + 2 * OVERLAP_FRAMES:
            cuts.append(cut)
    return cuts


def _unvoiced_around(f0: np.ndarray) -> np.ndarray:
    """Per frame: whether every frame of the overlap centred on it is unvoiced."""
    width = 2 * OVERLAP_FRAMES + 1
    padded = np.concatenate([np.zeros(OVERLAP_FRAMES), f0, np.zeros(OVERLAP_FRAMES)])
    return ~np.lib.stride_tricks.sliding_window_view(padded > 0, width).any(axis=1)


def _fade_edges(piece: np.ndarray, fade_in: bool, fade_out: bool) -> None:
    """Linear ramps over the overlap; a fade-out and the next block's fade-in cover the same samples and
    add up to one, because both blocks' outputs start on WORLD's frame grid."""
    length = min((2 * OVERLAP_FRAMES - 1) * HOP_SAMPLES + 1, piece.size)
    ramp = np.linspace(0.0, 1.0, length)
    if fade_in:
        piece[:length] *= ramp
    if fade_out:
        piece[-length:] *= ramp[::-1]


def _fit(values: np.ndarray, length: int, fill: float) -> np.ndarray:
    """`values` cut or padded with `fill` to exactly `length`."""
    if values.size >= length:
        return values[:length]
    return np.concatenate([values, np.full(length - values.size, fill)])
