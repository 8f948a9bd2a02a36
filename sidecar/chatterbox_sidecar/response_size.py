"""Refusing unary responses that cannot fit in one gRPC message before the work, not after it.

A unary Synthesize, Convert or TimeStretch returns all of its audio in one message, bounded by
--max-message-mb. Text is checked against a lower bound of the audio it makes before it is queued, and a
synthesis that turns out longer stops as soon as its audio passes the limit, so no segment is generated
for nothing. A conversion lasts as long as its source and a stretch 1/speed times its input, which is
checked once the input is decoded. Every refusal is TooLarge (OUT_OF_RANGE): the same request can never
succeed, whereas the RESOURCE_EXHAUSTED that gRPC itself would report for an oversized message invites a
retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import pcm
from .errors import TooLarge

# Room left in a unary response for everything but the audio bytes.
RESPONSE_OVERHEAD_BYTES = 64 * 1024
# Hardly anyone speaks faster (about 15 is usual), so characters / this bounds the duration from below.
MAX_CHARS_PER_SECOND = 30.0
MEBIBYTE = 1024 * 1024
STREAM_ADVICE = "use SynthesizeStream, which has no such limit, or send less text"
CONVERT_ADVICE = "send a shorter source"
STRETCH_ADVICE = "send shorter audio"


@dataclass(frozen=True)
class ResponseBudget:
    """How much audio one unary response can carry, in a given encoding and sample rate."""

    limit_bytes: int
    encoding: str
    sample_rate: int

    @classmethod
    def for_message_limit(cls, max_message_bytes: int, encoding: str, sample_rate: int) -> ResponseBudget:
        return cls(max_message_bytes - RESPONSE_OVERHEAD_BYTES, encoding, sample_rate)

    def check_text(self, characters: int, speed: float) -> None:
        """Refuses text whose fastest plausible reading would already be too large."""
        seconds = characters / MAX_CHARS_PER_SECOND / speed
        if self._bytes(seconds * self.sample_rate) > self.limit_bytes:
            self._refuse(
                f"{characters} characters at speed {speed:g} make at least {seconds:.0f} s of audio", STREAM_ADVICE
            )

    def check_source(self, seconds: float) -> None:
        """Refuses a conversion whose output, as long as its source, would be too large."""
        if self._bytes(seconds * self.sample_rate) > self.limit_bytes:
            self._refuse(f"the converted audio would last {seconds:.0f} s, as long as the source", CONVERT_ADVICE)

    def check_stretched(self, seconds: float, speed: float) -> None:
        """Refuses a time stretch whose output, 1/speed times as long as its input, would be too large."""
        if self._bytes(seconds / speed * self.sample_rate) > self.limit_bytes:
            self._refuse(f"the stretched audio would last {seconds / speed:.0f} s", STRETCH_ADVICE)

    def check_synthesized(self, samples: int, segments_done: int, segments: int) -> None:
        """Stops a synthesis as soon as the audio made so far is too large; the rest is never generated."""
        if self._bytes(samples) > self.limit_bytes:
            seconds = samples / self.sample_rate
            self._refuse(
                f"the first {segments_done} of {segments} segments already make {seconds:.0f} s of audio "
                "(the remaining ones were not generated)",
                STREAM_ADVICE,
            )

    def _bytes(self, samples: float) -> float:
        return samples * pcm.bytes_per_sample(self.encoding)

    def _refuse(self, what: str, advice: str) -> None:
        if self.encoding == pcm.F32LE:
            advice += ", or use AUDIO_ENCODING_PCM_S16LE (half the size)"
        raise TooLarge(
            f"{what}, more audio than one response can carry ({self.limit_bytes / MEBIBYTE:.1f} MiB of "
            f"{self.encoding}); {advice}",
            limit=self.limit_bytes,
        )
