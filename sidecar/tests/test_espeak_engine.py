"""The espeak engine for real: espeak-ng speaks, our pitch estimator listens."""

from __future__ import annotations

import numpy as np
import pytest

from chatterbox_sidecar.engines.base import Audio, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.espeak import EspeakEngine
from chatterbox_sidecar.pitch import median_f0

TEXT = "The weather is lovely today, so we should walk along the river."


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def speak(engine, text=TEXT, voice=None, seed=None, language="en", **params) -> np.ndarray:
    return engine.synthesize(SegmentRequest(text, language, voice, GenerationParams(**params), seed))


def buzz(f0_hz: float, seconds: float = 2.0, rate: int = 16000) -> Audio:
    """A voiced-like reference: a square wave has a clear fundamental and rich harmonics."""
    t = np.arange(int(seconds * rate)) / rate
    return Audio((0.3 * np.sign(np.sin(2 * np.pi * f0_hz * t))).astype(np.float32), rate, f"buzz-{f0_hz}")


def test_it_speaks_non_silent_24khz_float32_mono(engine):
    audio = speak(engine)
    assert engine.info.sample_rate == 24000
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 1.5 < audio.size / 24000 < 10
    assert np.sqrt(np.mean(audio**2)) > 0.01 and np.max(np.abs(audio)) <= 1.0
    assert median_f0(audio, 24000) is not None


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
def test_the_calibrated_mapping_lands_near_the_reference_pitch(engine, reference_hz):
    produced = median_f0(speak(engine, voice=buzz(reference_hz), seed=1, temperature=0.05), 24000)
    assert abs(produced / reference_hz - 1) < 0.12


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


def test_voice_conversion_shifts_the_pitch_to_the_target_and_keeps_the_duration(engine):
    source_samples = speak(engine, seed=1, temperature=0.05)
    source = Audio(source_samples, 24000, "source")
    converted, warnings = engine.convert(source, buzz(240))
    assert abs(converted.size - source_samples.size) < 0.01 * source_samples.size
    assert abs(median_f0(converted, 24000) / 240 - 1) < 0.12
    assert "not neural" in warnings[0]
