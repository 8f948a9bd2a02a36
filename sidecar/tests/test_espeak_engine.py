"""The espeak engine for real: espeak-ng speaks, our pitch estimator listens."""

from __future__ import annotations

import numpy as np
import pytest

from chatterbox_sidecar.engines import espeak
from chatterbox_sidecar.engines.base import Audio, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.espeak import EspeakEngine
from chatterbox_sidecar.pitch import frame_f0, median_f0

from espeak_speech import espeak_speech, high_female, low_male
from speech_checks import assert_voiced_mono_24k

TEXT = "The weather is lovely today, so we should walk along the river."
REFERENCE_TEXT = "I like to read old books on quiet evenings, with a cup of tea beside me."


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def speak(engine, text=TEXT, voice=None, seed=None, language="en", **params) -> np.ndarray:
    return engine.synthesize(SegmentRequest(text, language, voice, GenerationParams(**params), seed))


def recording(speech: tuple[np.ndarray, int], name: str) -> Audio:
    samples, rate = speech
    return Audio(samples, rate, name)


def buzz(f0_hz: float, seconds: float = 2.0, rate: int = 16000) -> Audio:
    """A voiced-like reference: a square wave has a clear fundamental and rich harmonics."""
    t = np.arange(int(seconds * rate)) / rate
    return Audio((0.3 * np.sign(np.sin(2 * np.pi * f0_hz * t))).astype(np.float32), rate, f"buzz-{f0_hz}")


def test_it_speaks_non_silent_24khz_float32_mono(engine):
    audio = speak(engine)
    assert engine.info.sample_rate == 24000
    assert_voiced_mono_24k(audio, min_seconds=1.5)


def test_the_same_seed_is_byte_identical_and_different_seeds_differ(engine):
    first = speak(engine, seed=7)
    again = speak(engine, seed=7)
    assert first.tobytes() == again.tobytes()
    others = [speak(engine, seed=s) for s in (8, 9, 1234)]
    assert all(o.tobytes() != first.tobytes() for o in others)


def test_a_low_temperature_nearly_removes_the_seed_variation(engine):
    def spread(temperature: float) -> float:
        return float(np.std([speak(engine, seed=s, temperature=temperature).size for s in range(6)]))

    assert spread(0.05) < spread(1.6)


@pytest.mark.parametrize("low_hz,high_hz", [(95, 140), (140, 230), (180, 300)])
def test_a_higher_reference_pitch_gives_a_higher_voice(engine, low_hz, high_hz):
    low = median_f0(speak(engine, voice=buzz(low_hz), seed=1, temperature=0.05), 24000)
    high = median_f0(speak(engine, voice=buzz(high_hz), seed=1, temperature=0.05), 24000)
    assert low < high


@pytest.mark.parametrize("reference_hz", [100, 130, 200, 260])
def test_the_output_lands_on_a_buzz_references_pitch(engine, reference_hz):
    produced = median_f0(speak(engine, voice=buzz(reference_hz), seed=1, temperature=0.05), 24000)
    assert abs(produced / reference_hz - 1) < 0.05


@pytest.mark.parametrize(
    "voice,pitch",
    [("en-us+m3", 5), ("en-us+m3", 30), ("en-us+f3", 40), ("en-us+f3", 90), ("en-us", 50)],
)
def test_the_output_lands_on_a_speaking_references_median_f0(engine, voice, pitch):
    reference = recording(espeak_speech(REFERENCE_TEXT, voice, pitch), f"{voice}-{pitch}")
    wanted = median_f0(reference.samples, reference.sample_rate)
    produced = median_f0(speak(engine, voice=reference, seed=1), 24000)
    assert abs(produced / wanted - 1) < 0.05


def test_a_reference_is_analysed_once_for_all_segments(engine):
    reference = recording(high_female(), "analysed-once")
    misses = engine._profiles.misses
    assert engine.voice_method(reference) == espeak.TTS_VOICE_METHOD
    for text in ("One sentence.", "Another sentence.", "And a third one."):
        speak(engine, text, voice=reference)
    assert engine._profiles.misses == misses + 1


def test_the_voice_method_says_what_the_reference_did(engine):
    assert engine.voice_method(None) == ""
    assert "WORLD" in engine.voice_method(buzz(150)) and "not neural" in engine.voice_method(buzz(150))
    noise = Audio(np.random.default_rng(5).normal(scale=0.1, size=16000).astype(np.float32), 16000, "noise")
    assert engine.voice_method(noise) == espeak.UNVOICED_REFERENCE_METHOD
    assert speak(engine, voice=noise).size > 24000  # the default voice still speaks
    assert "not neural" in engine.info.voice_method


def test_a_reference_keeps_equal_seeds_byte_identical(engine):
    reference = recording(low_male(), "seeded")
    assert speak(engine, voice=reference, seed=4).tobytes() == speak(engine, voice=reference, seed=4).tobytes()


def test_languages_cover_chatterbox_multilingual_and_change_the_speech(engine):
    assert {"en", "fr", "de", "es", "zh", "ja", "ar", "no"} <= set(engine.info.languages)
    english = speak(engine, "Bonjour, comment allez-vous aujourd'hui ?", language="en", seed=1)
    french = speak(engine, "Bonjour, comment allez-vous aujourd'hui ?", language="fr", seed=1)
    assert english.tobytes() != french.tobytes()


def test_it_names_the_set_sampling_parameters_it_ignores(engine):
    assert engine.ignored_parameters(GenerationParams(temperature=0.7, exaggeration=1.0)) == []
    ignored = engine.ignored_parameters(GenerationParams(cfg_weight=0.3, top_k=20, min_p=0.1))
    assert sorted(ignored) == ["cfg_weight", "min_p", "top_k"]


def test_exaggeration_widens_the_intonation(engine):
    def spread(exaggeration: float) -> float:
        from chatterbox_sidecar.pitch import frame_f0

        f0 = frame_f0(speak(engine, seed=1, temperature=0.05, exaggeration=exaggeration), 24000)
        voiced = f0[~np.isnan(f0)]
        return float(np.percentile(voiced, 90) - np.percentile(voiced, 10))

    assert spread(0.1) < spread(1.5)


def test_text_is_escaped_not_interpreted_as_markup(engine):
    assert speak(engine, "Tom & Jerry say <hello> to 5 > 3.").size > 24000


def test_the_engine_reports_itself_honestly(engine):
    info = engine.info
    assert info.engine == "espeak" and info.watermarked is False and info.voice_conversion
    assert info.engine_version.startswith("espeak-ng 1.") and info.max_segment_chars == 300


@pytest.mark.parametrize("semitones", [0.0, 3.0, -2.0])
def test_voice_conversion_moves_the_source_onto_the_target_and_keeps_its_length(engine, semitones):
    source = Audio(speak(engine, seed=1, temperature=0.05), 24000, "source")
    target = recording(high_female(), "target")
    conversion = engine.convert(source, target, semitones)
    wanted = median_f0(target.samples, target.sample_rate) * 2.0 ** (semitones / 12.0)
    assert abs(median_f0(conversion.samples, 24000) / wanted - 1) < 0.05
    assert conversion.samples.size == source.samples.size
    voiced = ~np.isnan(frame_f0(source.samples, 24000))
    assert np.mean(~np.isnan(frame_f0(conversion.samples, 24000))[voiced]) >= 0.8
    assert conversion.voice_method == espeak.CONVERT_VOICE_METHOD and conversion.warnings == []


def test_voice_conversion_without_a_target_moves_the_source_onto_the_builtin_voice(engine):
    source = recording(high_female(), "female source")
    conversion = engine.convert(source, None, 0.0)
    builtin = median_f0(speak(engine, seed=1, temperature=0.05), 24000)
    assert abs(median_f0(conversion.samples, 24000) / builtin - 1) < 0.05
    assert abs(conversion.samples.size / 24000 - source.duration_seconds) < 0.01 * source.duration_seconds
    assert conversion.voice_method == ""


def test_voice_conversion_of_unvoiced_audio_returns_it_and_says_why(engine):
    noise = Audio(np.random.default_rng(6).normal(scale=0.1, size=24000).astype(np.float32), 24000, "noise2")
    unchanged = engine.convert(noise, recording(low_male(), "male"), 0.0)
    assert np.array_equal(unchanged.samples, noise.samples) and "no voiced speech" in unchanged.warnings[0]
    no_target = engine.convert(recording(low_male(), "male"), noise, 0.0)
    assert no_target.voice_method == espeak.UNVOICED_TARGET_METHOD and "no voiced speech" in no_target.warnings[0]
