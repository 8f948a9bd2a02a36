"""The WORLD voice conversion on real espeak-ng speech, measured with our own YIN."""

from __future__ import annotations

import numpy as np
import pytest

from chatterbox_sidecar import voice_shift, world_render
from chatterbox_sidecar.pitch import frame_f0, median_f0

from espeak_speech import high_female, low_male

RATE = voice_shift.RATE


def voiced_kept(source: np.ndarray, source_rate: int, output: np.ndarray) -> float:
    """Share of the source's voiced 10 ms frames that are voiced in the output too (same time axis)."""
    before = ~np.isnan(frame_f0(source, source_rate))
    after = ~np.isnan(frame_f0(output, RATE))
    frames = min(before.size, after.size)
    return float(np.mean(after[:frames][before[:frames]]))


def octave_spread(samples: np.ndarray, rate: int) -> float:
    """Intonation range: the 10th to 90th percentile of the voiced F0, in octaves."""
    f0 = frame_f0(samples, rate)
    low, high = np.percentile(f0[~np.isnan(f0)], [10, 90])
    return float(np.log2(high / low))


@pytest.mark.parametrize(
    "source_voice,target_voice,semitones",
    [
        (low_male, high_female, 0.0),
        (low_male, high_female, -3.0),
        (low_male, high_female, 4.0),
        (high_female, low_male, 0.0),
        (high_female, low_male, 4.0),
    ],
)
def test_the_output_lands_on_the_targets_median_f0_with_the_sources_length_and_voicing(
    source_voice, target_voice, semitones
):
    source, source_rate = source_voice()
    target, target_rate = target_voice()
    profile = voice_shift.voice_profile(target, target_rate)
    shifted = voice_shift.convert_voice(source, source_rate, profile, semitones)
    wanted = median_f0(target, target_rate) * 2.0 ** (semitones / 12.0)
    assert abs(median_f0(shifted.samples, RATE) / wanted - 1) < 0.05
    assert shifted.samples.dtype == np.float32 and shifted.samples.ndim == 1
    assert abs((shifted.samples.size / RATE) / (source.size / source_rate) - 1) < 0.01
    assert voiced_kept(source, source_rate, shifted.samples) >= 0.8


def test_the_contour_is_scaled_not_flattened():
    source, rate = low_male()
    target, target_rate = high_female()
    shifted = voice_shift.convert_voice(source, rate, voice_shift.voice_profile(target, target_rate))
    assert abs(octave_spread(shifted.samples, RATE) / octave_spread(source, rate) - 1) < 0.15


def test_the_formant_ratio_recovers_a_known_stretch():
    source, rate = high_female()
    own = voice_shift.voice_profile(source, rate)
    stretched = voice_shift.convert_voice(source, rate, own, formants=1.1)
    assert stretched.formant_ratio == 1.1
    measured = voice_shift.formant_ratio(own, voice_shift.voice_profile(stretched.samples, RATE))
    assert abs(measured - 1.1) < 0.02


def test_the_formant_ratio_between_espeaks_male_and_female_voices_hits_the_clamp():
    # espeak-ng's f3 variant puts its formants 20-40 % above m3's (its voice files say so), beyond the
    # range the conversion allows.
    male = voice_shift.voice_profile(*low_male())
    female = voice_shift.voice_profile(*high_female())
    assert voice_shift.formant_ratio(male, female) == pytest.approx(voice_shift.FORMANT_RATIO_RANGE[1])
    assert voice_shift.formant_ratio(female, male) == pytest.approx(voice_shift.FORMANT_RATIO_RANGE[0])


def test_a_pitch_shift_keeps_the_formants():
    source, rate = high_female()
    shifted = voice_shift.shift_pitch(source, rate, 5.0)
    assert abs(median_f0(shifted, RATE) / (median_f0(source, rate) * 2.0 ** (5.0 / 12.0)) - 1) < 0.05
    ratio = voice_shift.formant_ratio(voice_shift.voice_profile(source, rate), voice_shift.voice_profile(shifted, RATE))
    assert abs(ratio - 1.0) < 0.03
    assert abs(shifted.size / RATE - source.size / rate) < 0.01


def test_the_level_is_kept_unless_the_output_would_clip():
    source, rate = low_male()
    target = voice_shift.voice_profile(*high_female())
    quiet = voice_shift.convert_voice(source * 0.2, rate, target).samples
    assert 0.05 < np.max(np.abs(quiet)) < 0.5  # not normalised up
    loud = voice_shift.convert_voice(source * 4.0, rate, target).samples
    assert np.max(np.abs(loud)) == pytest.approx(voice_shift.CLIP_CEILING)


def test_the_conversion_is_deterministic():
    source, rate = low_male()
    target = voice_shift.voice_profile(*high_female())
    first = voice_shift.convert_voice(source, rate, target).samples
    assert first.tobytes() == voice_shift.convert_voice(source, rate, target).samples.tobytes()


def test_audio_without_voiced_speech_has_no_profile_and_is_not_converted():
    noise = np.random.default_rng(3).normal(scale=0.1, size=RATE).astype(np.float32)
    target = voice_shift.voice_profile(*high_female())
    assert voice_shift.voice_profile(noise, RATE) is None
    assert voice_shift.convert_voice(noise, RATE, target) is None
    assert voice_shift.shift_pitch(noise, RATE, 3.0) is None
    assert voice_shift.voice_profile(np.zeros(0, np.float32), RATE) is None


def frame_rms_db(samples: np.ndarray) -> np.ndarray:
    frames = samples[: samples.size // 240 * 240].reshape(-1, 240)
    return 20 * np.log10(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-9)


def test_long_audio_is_rendered_in_blocks_cut_where_it_is_unvoiced(monkeypatch):
    source, rate = low_male()
    recording = world_render.track(source, rate)
    whole = world_render.render(recording, 2.0, 1.1)
    # Blocks of 1 s instead of 20 s, so a 4.6 s sentence exercises the cuts.
    monkeypatch.setattr(world_render, "BLOCK_SECONDS", 1.0)
    monkeypatch.setattr(world_render, "CUT_SEARCH_SECONDS", 0.4)
    ranges = world_render.block_ranges(recording.f0)
    assert len(ranges) >= 4
    overlap = world_render.OVERLAP_FRAMES
    for first, _ in ranges[1:]:
        cut = first + overlap
        assert not np.any(recording.f0[cut - overlap : cut + overlap + 1] > 0)
    blocks = world_render.render(recording, 2.0, 1.1)
    assert blocks.size == whole.size == recording.audio.size
    loud = frame_rms_db(whole) > frame_rms_db(whole).max() - 30
    assert np.median(np.abs(frame_rms_db(blocks) - frame_rms_db(whole))[loud]) < 1.0
    assert abs(median_f0(blocks, RATE) / median_f0(whole, RATE) - 1) < 0.01
