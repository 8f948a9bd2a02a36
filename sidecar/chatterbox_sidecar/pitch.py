"""Fundamental-frequency (F0) estimation for speech, used to steer and calibrate the espeak engine.

A vectorised YIN (de Cheveigné & Kawahara, 2002): per frame, the cumulative-mean-normalised difference
function is computed from FFT autocorrelation, and the first dip under a threshold gives the period.
Frames that are quiet or have no clear dip count as unvoiced and are left out of the median.
"""

from __future__ import annotations

import numpy as np
import soxr

ANALYSIS_RATE = 16000
FRAME_SECONDS = 0.040
HOP_SECONDS = 0.010
MIN_F0_HZ = 60.0
MAX_F0_HZ = 500.0
# A dip below this normalised difference means a clear periodicity (YIN's "absolute threshold").
DIP_THRESHOLD = 0.15
# Frames whose energy is this far below the loudest frame are treated as silence.
SILENCE_BELOW_PEAK_DB = 35.0


def frame_f0(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Returns one F0 value in Hz per 10 ms frame, NaN where the frame is unvoiced or silent."""
    audio = _prepare(samples, sample_rate)
    frame_len = int(FRAME_SECONDS * ANALYSIS_RATE)
    hop = int(HOP_SECONDS * ANALYSIS_RATE)
    if audio.size < frame_len:
        return np.full(0, np.nan)
    frames = np.lib.stride_tricks.sliding_window_view(audio, frame_len)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    min_lag = int(ANALYSIS_RATE / MAX_F0_HZ)
    max_lag = int(ANALYSIS_RATE / MIN_F0_HZ)
    cmndf = _cumulative_mean_normalised_difference(frames, max_lag)
    periods = _first_dips(cmndf, min_lag, max_lag)
    f0 = np.where(np.isnan(periods), np.nan, ANALYSIS_RATE / np.where(np.isnan(periods), 1.0, periods))
    f0[~_loud_enough(frames)] = np.nan
    return f0


def median_f0(samples: np.ndarray, sample_rate: int) -> float | None:
    """Median F0 in Hz over the voiced frames, or None when fewer than 5 frames (50 ms) are voiced."""
    f0 = frame_f0(samples, sample_rate)
    voiced = f0[~np.isnan(f0)]
    if voiced.size < 5:
        return None
    return float(np.median(voiced))


def _prepare(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    if sample_rate != ANALYSIS_RATE:
        audio = soxr.resample(audio, sample_rate, ANALYSIS_RATE)
    return audio.astype(np.float64)


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


def _first_dips(cmndf: np.ndarray, min_lag: int, max_lag: int) -> np.ndarray:
    """Per frame, the refined lag of the first local minimum under the threshold (NaN if none)."""
    window = cmndf[:, min_lag : max_lag + 1]
    below = window < DIP_THRESHOLD
    has_dip = below.any(axis=1)
    first = np.argmax(below, axis=1)
    periods = np.full(cmndf.shape[0], np.nan)
    for row in np.nonzero(has_dip)[0]:
        lag = first[row]
        # Walk down to the bottom of the dip, then refine it with a parabola through three points.
        while lag + 1 < window.shape[1] and window[row, lag + 1] < window[row, lag]:
            lag += 1
        periods[row] = min_lag + lag + _parabolic_offset(window[row], lag)
    return periods


def _parabolic_offset(values: np.ndarray, index: int) -> float:
    if index <= 0 or index >= values.size - 1:
        return 0.0
    left, centre, right = values[index - 1], values[index], values[index + 1]
    curvature = left - 2.0 * centre + right
    return 0.0 if curvature <= 0 else 0.5 * (left - right) / curvature


def _loud_enough(frames: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean(frames**2, axis=1))
    peak = rms.max() if rms.size else 0.0
    if peak <= 0:
        return np.zeros(frames.shape[0], dtype=bool)
    return 20.0 * np.log10(np.maximum(rms, 1e-12) / peak) > -SILENCE_BELOW_PEAK_DB
