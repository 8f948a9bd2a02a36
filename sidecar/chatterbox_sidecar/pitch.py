"""Fundamental-frequency (F0) estimation for speech: the espeak engine's calibration, the reference
voices' median pitch, and the F0 contour the WORLD voice conversion resynthesizes (voice_shift.py).

A vectorised YIN (de Cheveigné & Kawahara, 2002): per frame, the cumulative-mean-normalised difference
function (CMNDF) is computed from FFT autocorrelation, and its dips give the period. Frame i is centred
at i * hop seconds, the time axis WORLD uses, so a contour can be handed to the vocoder frame for frame.
WORLD's own trackers are not used: they pick the wrong octave on low male voices.
"""

from __future__ import annotations

import numpy as np
import soxr

ANALYSIS_RATE = 16000
FRAME_SECONDS = 0.040
HOP_SECONDS = 0.010
MIN_F0_HZ = 60.0
MAX_F0_HZ = 500.0
# A dip below this normalised difference is a clear periodicity (YIN's "absolute threshold").
DIP_THRESHOLD = 0.15
# Rough voices (espeak's male variants, creak, breathy speech) have frames whose best dip lies between
# DIP_THRESHOLD and this value although the contour runs on smoothly through them; counting them as
# voiced doubles the voiced frames of a low male voice, and noise stays far above it (CMNDF near 1).
VOICED_BELOW = 0.35
# In such a frame the period is the first dip within this margin of the best one, not the best one,
# so a dip at twice the period (half the F0) does not win by a hair.
DIP_MARGIN = 0.10
# Frames whose energy is this far below the loudest frame are treated as silence.
SILENCE_BELOW_PEAK_DB = 35.0
# A running median over this many frames removes single-frame octave slips without bending the contour.
SMOOTHING_FRAMES = 5
MIN_VOICED_FRAMES = 5
CHUNK_FRAMES = 1000


def frame_f0(samples: np.ndarray, sample_rate: int, hop_seconds: float = HOP_SECONDS) -> np.ndarray:
    """One F0 in Hz per hop, frame i centred at i * hop_seconds, NaN where unvoiced or silent.

    There are floor(duration / hop_seconds) + 1 frames, as in WORLD's analyses.
    """
    audio = _prepare(samples, sample_rate)
    hop = round(hop_seconds * ANALYSIS_RATE)
    if audio.size == 0 or hop <= 0:
        return np.full(0, np.nan)
    windows = _centred_windows(audio, hop)
    periods = np.empty(windows.shape[0])
    rms = np.empty(windows.shape[0])
    # In chunks: the difference function of a whole minute at a 5 ms hop would take gigabytes at once.
    for start in range(0, windows.shape[0], CHUNK_FRAMES):
        chunk = slice(start, start + CHUNK_FRAMES)
        periods[chunk], rms[chunk] = _analyse_frames(windows[chunk])
    f0 = ANALYSIS_RATE / periods
    f0[~_loud_enough(rms)] = np.nan
    return _smooth_voiced(f0)


def median_f0(samples: np.ndarray, sample_rate: int) -> float | None:
    """Median F0 in Hz over the voiced frames, or None when fewer than 5 frames (50 ms) are voiced."""
    return median_of(frame_f0(samples, sample_rate))


def median_of(f0: np.ndarray) -> float | None:
    """Median of the voiced (non-NaN) values of a contour, or None when fewer than 5 are voiced."""
    voiced = f0[~np.isnan(f0)]
    if voiced.size < MIN_VOICED_FRAMES:
        return None
    return float(np.median(voiced))


def _prepare(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    if sample_rate != ANALYSIS_RATE and audio.size:
        audio = soxr.resample(audio, sample_rate, ANALYSIS_RATE)
    return audio.astype(np.float64)


def _centred_windows(audio: np.ndarray, hop: int) -> np.ndarray:
    """Views of FRAME_SECONDS centred on multiples of `hop`; zero padding beyond the ends."""
    width = int(FRAME_SECONDS * ANALYSIS_RATE)
    count = audio.size // hop + 1
    padded = np.concatenate([np.zeros(width // 2), audio, np.zeros(width)])
    return np.lib.stride_tricks.sliding_window_view(padded, width)[::hop][:count]


def _analyse_frames(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(period in samples or NaN, RMS) per frame."""
    frames = windows - windows.mean(axis=1, keepdims=True)
    min_lag = int(ANALYSIS_RATE / MAX_F0_HZ)
    max_lag = int(ANALYSIS_RATE / MIN_F0_HZ)
    cmndf = _cumulative_mean_normalised_difference(frames, max_lag)
    periods = _periods(cmndf[:, min_lag : max_lag + 1]) + min_lag
    return periods, np.sqrt(np.mean(frames**2, axis=1))


def _cumulative_mean_normalised_difference(frames: np.ndarray, max_lag: int) -> np.ndarray:
    """d'(tau) for tau in [0, max_lag], shape (frames, max_lag + 1)."""
    width = frames.shape[1]
    spectrum = np.fft.rfft(frames, n=2 * width, axis=1)
    autocorr = np.fft.irfft(spectrum * np.conj(spectrum), axis=1)[:, : max_lag + 1]
    energy = np.cumsum(frames**2, axis=1)
    lags = np.arange(max_lag + 1)
    # Energy of the window's head x[0 : W - tau] and tail x[tau : W].
    head = energy[:, width - 1 - lags]
    total = energy[:, -1:]
    tail = total - np.concatenate([np.zeros((frames.shape[0], 1)), energy[:, lags[1:] - 1]], axis=1)
    difference = np.maximum(head + tail - 2.0 * autocorr, 0.0)
    running_mean = np.cumsum(difference[:, 1:], axis=1) / lags[1:]
    cmndf = np.ones_like(difference)
    cmndf[:, 1:] = difference[:, 1:] / np.maximum(running_mean, 1e-12)
    return cmndf


def _periods(window: np.ndarray) -> np.ndarray:
    """Per frame, the refined lag (from the window's start) of the period's dip, NaN when unvoiced.

    The period is the first dip under max(DIP_THRESHOLD, best + DIP_MARGIN): for a clearly periodic
    frame that is plain YIN, for a rough one the earliest dip nearly as deep as the best.
    """
    best = window.min(axis=1)
    threshold = np.maximum(DIP_THRESHOLD, best + DIP_MARGIN)
    first = np.argmax(window < threshold[:, None], axis=1)
    periods = np.full(window.shape[0], np.nan)
    for row in np.nonzero(best < VOICED_BELOW)[0]:
        lag = first[row]
        # Walk down to the bottom of the dip, then refine it with a parabola through three points.
        while lag + 1 < window.shape[1] and window[row, lag + 1] < window[row, lag]:
            lag += 1
        periods[row] = lag + _parabolic_offset(window[row], lag)
    return periods


def _parabolic_offset(values: np.ndarray, index: int) -> float:
    if index <= 0 or index >= values.size - 1:
        return 0.0
    left, centre, right = values[index - 1], values[index], values[index + 1]
    curvature = left - 2.0 * centre + right
    return 0.0 if curvature <= 0 else 0.5 * (left - right) / curvature


def _loud_enough(rms: np.ndarray) -> np.ndarray:
    peak = rms.max() if rms.size else 0.0
    if peak <= 0:
        return np.zeros(rms.size, dtype=bool)
    return 20.0 * np.log10(np.maximum(rms, 1e-12) / peak) > -SILENCE_BELOW_PEAK_DB


def _smooth_voiced(f0: np.ndarray) -> np.ndarray:
    """Each voiced frame becomes the median of the voiced frames around it; unvoiced frames stay NaN."""
    half = SMOOTHING_FRAMES // 2
    voiced = np.nonzero(~np.isnan(f0))[0]
    if voiced.size == 0:
        return f0
    padded = np.concatenate([np.full(half, np.nan), f0, np.full(half, np.nan)])
    # Every window below holds its own voiced centre, so nanmedian never sees an all-NaN window.
    windows = np.lib.stride_tricks.sliding_window_view(padded, SMOOTHING_FRAMES)[voiced]
    smoothed = f0.copy()
    smoothed[voiced] = np.nanmedian(windows, axis=1)
    return smoothed
