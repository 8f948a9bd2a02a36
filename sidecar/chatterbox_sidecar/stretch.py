"""Pitch-preserving time stretch, used inline for SynthesisInput.speed and by the TimeStretch RPC.

`speed` is a tempo factor (2.0 = twice as fast); the stretch ratio, output duration over input duration,
is 1/speed. Libraries are tried along FALLBACK_CHAIN; a requested library that is missing or fails
falls back to the next one and says so in the warnings, and the result names the library actually used.
A library whose own speed range is narrower than 0.25-4.0 runs in several equal passes (speed 4 with
audiostretchy is two passes at speed 2), so every library honours the whole range. The output always has
round(input samples / speed) samples: audiostretchy misses that by a constant 17-100 ms per call, which
matters for the short segments of a streamed synthesis.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import math
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import InvalidInput

log = logging.getLogger("chatterbox_sidecar.stretch")

AUTO = "auto"
AUDIOSTRETCHY = "audiostretchy"
SOX = "sox"
LIBROSA = "librosa"
TORCHAUDIO = "torchaudio"
FALLBACK_CHAIN = (AUDIOSTRETCHY, SOX, LIBROSA, TORCHAUDIO)

MIN_SPEED = 0.25
MAX_SPEED = 4.0
# The speeds one pass of a library honours, found by trying: audiostretchy's TDHS silently clamps its
# ratio to 0.5-2.0 (asked for speed 0.25 or 4 it returns speed 0.5 or 2), and sox's tempo refuses
# factors outside 0.1-100. librosa's and torchaudio's phase vocoders take any factor.
SINGLE_PASS_SPEEDS = {AUDIOSTRETCHY: (0.5, 2.0), SOX: (0.1, 100.0)}
# Pitch-period search range of the TDHS stretcher. audiostretchy's default upper bound is 333 Hz, which
# misses high female and child voices; 500 Hz covers them.
TDHS_UPPER_HZ = 500
TDHS_LOWER_HZ = 55


@dataclass(frozen=True)
class StretchResult:
    samples: np.ndarray
    library: str | None  # None when nothing was stretched (speed 1)
    warnings: list[str] = field(default_factory=list)


def validate_speed(speed: float, field: str = "speed") -> None:
    """Raises InvalidInput, naming `field`, unless MIN_SPEED <= speed <= MAX_SPEED."""
    if not math.isfinite(speed) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"{field} must be between {MIN_SPEED} and {MAX_SPEED}, got {speed}", field=field)


def time_stretch(samples: np.ndarray, sample_rate: int, speed: float, library: str = AUTO) -> StretchResult:
    """Changes the duration of mono float32 audio by 1/speed without changing its pitch."""
    validate_speed(speed)
    if speed == 1.0 or samples.size == 0:
        return StretchResult(np.asarray(samples, dtype=np.float32), None)
    warnings: list[str] = []
    for name in _candidates(library):
        if not is_available(name):
            continue
        try:
            stretched = _stretch_in_passes(name, np.asarray(samples, dtype=np.float32), sample_rate, speed)
        except Exception as error:
            log.warning("time-stretch library failed; falling back", exc_info=error, extra={"library": name})
            warnings.append(f"time stretch with {name} failed ({type(error).__name__}); fell back to another library")
            continue
        if library not in (AUTO, name):
            warnings.append(f"time-stretch library {library} is not available here; used {name}")
        return StretchResult(stretched.astype(np.float32), name, warnings)
    raise RuntimeError(f"no time-stretch library could process the audio (tried {', '.join(_candidates(library))})")


def available_libraries() -> list[str]:
    """The libraries that load on this machine, in fallback order."""
    return [name for name in FALLBACK_CHAIN if is_available(name)]


@functools.cache
def is_available(name: str) -> bool:
    """Whether `name` can run here (cached: availability does not change while the process runs)."""
    if name == AUDIOSTRETCHY:
        try:
            # Importing loads the bundled C library, which exists for x86-64 Linux only.
            importlib.import_module("audiostretchy.interface.tdhs")
        except (ImportError, OSError, NotImplementedError):
            return False
        return True
    if name == SOX:
        return shutil.which("sox") is not None
    if name in (LIBROSA, TORCHAUDIO):
        return importlib.util.find_spec(name) is not None
    return False


def passes(library: str, speed: float) -> list[float]:
    """Equal per-pass speeds whose product is `speed`, each inside what one pass of `library` honours."""
    low, high = SINGLE_PASS_SPEEDS.get(library, (0.0, math.inf))
    if low <= speed <= high:
        return [speed]
    limit = high if speed > high else low
    # The tolerance keeps speed 4 at two passes of 2 although log(4) / log(2) may round above 2.
    count = math.ceil(math.log(speed) / math.log(limit) - 1e-9)
    return [speed ** (1.0 / count)] * count


def _stretch_in_passes(library: str, samples: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    length = round(samples.size / speed)
    for step in passes(library, speed):
        samples = _IMPLEMENTATIONS[library](samples, sample_rate, step)
    # Trimmed or padded at the end, where speech trails off into silence.
    if samples.size >= length:
        return samples[:length]
    return np.concatenate([samples, np.zeros(length - samples.size, dtype=samples.dtype)])


def _candidates(library: str) -> list[str]:
    if library in (AUTO, ""):
        return list(FALLBACK_CHAIN)
    if library not in FALLBACK_CHAIN:
        raise InvalidInput(f"unknown time-stretch library {library!r}")
    return [library] + [name for name in FALLBACK_CHAIN if name != library]


def _stretch_with_audiostretchy(samples: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    from audiostretchy.interface.tdhs import TDHSAudioStretch

    ratio = 1.0 / speed
    # The C library takes int16 only; clip first so loud float peaks do not wrap around.
    pcm16 = np.ascontiguousarray(np.round(np.clip(samples, -1.0, 1.0) * 32767.0), dtype=np.int16)
    longest_period = sample_rate // TDHS_LOWER_HZ
    # Same detection mode audiostretchy picks by default: fast above 32 kHz, normal below.
    flags = TDHSAudioStretch.STRETCH_FAST_FLAG if sample_rate >= 32000 else 0
    stretcher = TDHSAudioStretch(sample_rate // TDHS_UPPER_HZ, longest_period, 1, flags)
    try:
        # Headroom past the library's own estimate: flush() writes without a length argument.
        output = np.zeros(stretcher.output_capacity(pcm16.size, ratio) + 4 * longest_period, dtype=np.int16)
        produced = stretcher.process_samples(pcm16, pcm16.size, output, ratio)
        produced += stretcher.flush(output[produced:])
    finally:
        stretcher.deinit()
    # Keep exactly the samples produced: audiostretchy's own stretch() returns the whole buffer, which
    # pads speed-ups with trailing silence (its issues #6, #12, #14).
    return output[:produced].astype(np.float32) / 32768.0


def _stretch_with_sox(samples: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    raw = ["-t", "raw", "-e", "floating-point", "-b", "32", "-L", "-c", "1", "-r", str(sample_rate)]
    # `tempo -s` is WSOLA tuned for speech: duration changes, pitch stays.
    command = ["sox", "-V1", *raw, "-", *raw, "-", "tempo", "-s", f"{speed:.6f}"]
    result = subprocess.run(
        command, input=samples.astype("<f4").tobytes(), capture_output=True, check=True, timeout=300
    )
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _stretch_with_librosa(samples: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    import librosa

    return librosa.effects.time_stretch(samples, rate=speed)


def _stretch_with_torchaudio(samples: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    import torch
    import torchaudio

    n_fft, hop = 1024, 256
    window = torch.hann_window(n_fft)
    spectrum = torch.stft(torch.from_numpy(samples), n_fft, hop_length=hop, window=window, return_complex=True)
    phase_advance = torch.linspace(0, math.pi * hop, n_fft // 2 + 1)[..., None]
    stretched = torchaudio.functional.phase_vocoder(spectrum, speed, phase_advance)
    length = round(samples.size / speed)
    return torch.istft(stretched, n_fft, hop_length=hop, window=window, length=length).numpy()


_IMPLEMENTATIONS: dict[str, Callable[[np.ndarray, int, float], np.ndarray]] = {
    AUDIOSTRETCHY: _stretch_with_audiostretchy,
    SOX: _stretch_with_sox,
    LIBROSA: _stretch_with_librosa,
    TORCHAUDIO: _stretch_with_torchaudio,
}
