"""Reference voices for engines that cannot clone (espeak, piper): signal-level steering with WORLD.

Such an engine speaks in its own built-in voice, whose profile it measures once at load. A reference voice
then moves each segment's pitch onto the reference's median F0 and stretches its formants by the ratio
between the built-in voice and the reference (voice_shift.py). Voice conversion is the same WORLD
conversion applied to the caller's recording. Shared here so every such engine does it the same way.
"""

from __future__ import annotations

import logging

import numpy as np

from .. import pcm
from ..voice_shift import VoiceProfile, convert_voice, formant_ratio, voice_profile
from .base import Audio, Conversion
from .voice_profiles import VoiceProfileCache

log = logging.getLogger("chatterbox_sidecar.signal_voice")

SAMPLE_RATE = 24000  # the rate WORLD resynthesizes at (voice_shift.RATE) and these engines' output rate
CACHED_PROFILES = 64
ENGINE_VOICE_METHOD = "signal-level: pitch and formants moved toward the voice (WORLD vocoder); not neural cloning"
CONVERT_VOICE_METHOD = (
    "signal-level: pitch and formants moved toward the target voice (WORLD vocoder); not neural cloning"
)
UNVOICED_TARGET_METHOD = "none: the target voice has no voiced speech, so nothing was converted"


def profile_cache() -> VoiceProfileCache:
    """The per-engine cache of reference profiles (one analysis per reference audio)."""
    return VoiceProfileCache(CACHED_PROFILES)


def builtin_profile(samples: np.ndarray, sample_rate: int, voice: str) -> VoiceProfile:
    """The profile of an engine's own voice, from a calibration phrase it spoke; RuntimeError if unvoiced."""
    profile = voice_profile(samples, sample_rate)
    if profile is None:
        raise RuntimeError(f"{voice} produced no voiced audio for its calibration phrase")
    return profile


def reference_method(profiles: VoiceProfileCache, voice: Audio | None, steered: str, unvoiced: str) -> str:
    """How a synthesis reference shapes the speech: `steered`, or `unvoiced` when it has no voiced speech to
    measure (the engine's own voice then speaks unchanged); "" without a reference."""
    if voice is None:
        return ""
    return steered if profiles.get(voice) is not None else unvoiced


def toward(samples: np.ndarray, own: VoiceProfile, reference: VoiceProfile) -> np.ndarray:
    """Speech at SAMPLE_RATE moved onto the reference's median F0 and formants; unchanged if it has no voicing.

    The formant ratio is measured against the built-in voice's profile (a calibration phrase), not the
    segment: a short segment's spectrum says more about its words than about the voice, and one ratio per
    reference keeps the timbre steady from segment to segment.
    """
    if samples.size == 0:
        return samples
    shifted = convert_voice(samples, SAMPLE_RATE, reference, formants=formant_ratio(own, reference))
    return samples if shifted is None else shifted.samples


def convert(
    source: Audio,
    target: Audio | None,
    pitch_shift_semitones: float,
    builtin: VoiceProfile,
    profiles: VoiceProfileCache,
) -> Conversion:
    """Moves the source's pitch and formants toward the target (WORLD), keeping its words and length.

    No target: toward the engine's built-in voice, whose profile it measured at load. Output at SAMPLE_RATE.
    """
    samples = pcm.resample(source.samples, source.sample_rate, SAMPLE_RATE)
    method = "" if target is None else CONVERT_VOICE_METHOD
    profile = builtin if target is None else profiles.get(target)
    if profile is None:
        warning = "the target voice has no voiced speech to measure; the source is returned unchanged"
        return Conversion(samples, UNVOICED_TARGET_METHOD, [warning])
    shifted = convert_voice(samples, SAMPLE_RATE, profile, pitch_shift_semitones)
    if shifted is None:
        warning = "the source has no voiced speech to move; it is returned unchanged"
        return Conversion(samples, method, [warning])
    log.debug("voice converted", extra={"pitch_ratio": shifted.pitch_ratio, "formant_ratio": shifted.formant_ratio})
    return Conversion(shifted.samples, method)
