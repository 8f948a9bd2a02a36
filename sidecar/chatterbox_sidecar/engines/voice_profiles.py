"""Voice profiles of reference audio (median F0, spectral shape), cached by the SHA-256 of the audio.

A long text is spoken one segment at a time with the same reference, and a client converts many clips
toward the same target: the analysis of a reference (a few hundred ms for a 10 s clip) runs once.
"""

from __future__ import annotations

from collections import OrderedDict

from ..voice_shift import VoiceProfile, voice_profile
from .base import Audio


class VoiceProfileCache:
    """LRU of `capacity` profiles; a reference without voiced speech is remembered as None too."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, VoiceProfile | None] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, voice: Audio) -> VoiceProfile | None:
        """The profile of `voice`, analysed on the first request for its audio."""
        if voice.sha256 in self._entries:
            self.hits += 1
            self._entries.move_to_end(voice.sha256)
            return self._entries[voice.sha256]
        self.misses += 1
        profile = voice_profile(voice.samples, voice.sample_rate)
        self._entries[voice.sha256] = profile
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return profile
