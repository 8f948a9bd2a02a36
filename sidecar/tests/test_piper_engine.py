"""The piper engine for real, with the voice pack `npm install` puts into models/piper/en_US-joe-medium/."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from chatterbox_sidecar.engines import hub_probe, loader, piper, piper_voices
from chatterbox_sidecar.engines.base import Audio, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.loader import LoadSpec, load_engines
from chatterbox_sidecar.errors import NotLoaded
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb
from chatterbox_sidecar.pitch import frame_f0, median_f0
from chatterbox_sidecar.synthesis import JobTiming, Segment, SynthesisPlan, synthesize

from espeak_speech import high_female, low_male
from fakes import FakeEngine
from piper_pack import MODELS_DIR, PACK, VOICE, missing_piper, needs_piper
from speech_checks import assert_voiced_mono_24k

TEXT = "The weather is lovely today, so we should walk along the river and look at the boats."


@pytest.fixture(scope="module")
def engine() -> piper.PiperEngine:
    if missing_piper() is not None:
        pytest.skip(missing_piper())
    return piper.load(MODELS_DIR, VOICE)


@pytest.fixture
def pack_only(tmp_path) -> str:
    """A models folder holding only the real voice pack (a link), so nothing else there can load."""
    (tmp_path / "piper").mkdir()
    (tmp_path / "piper" / VOICE).symlink_to(PACK, target_is_directory=True)
    return str(tmp_path)


@pytest.fixture
def unreachable_hub(monkeypatch):
    """The hub's address is a local port that refuses connections; no remembered probe outcomes."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{bound.getsockname()[1]}")
        monkeypatch.setattr(hub_probe, "_outcomes", {})
        yield


def speak(engine, text=TEXT, voice=None, seed=None, speed=1.0, **params) -> np.ndarray:
    return engine.synthesize(SegmentRequest(text, "en", voice, GenerationParams(**params), seed, speed))


def plan_duration(engine, speed: float, stretch_library: str = "auto", seed: int | None = None):
    """Seconds of audio and the stats of one segment spoken through synthesis.py's plan at `speed`."""
    pieces = []
    plan = SynthesisPlan([Segment(TEXT, seed)], "en", None, GenerationParams(), speed, stretch_library)
    stats = synthesize(engine, plan, JobTiming(time.monotonic(), None), pieces.append, threading.Event())
    return sum(piece.samples.size for piece in pieces) / engine.info.sample_rate, stats


def recording(speech: tuple[np.ndarray, int], name: str) -> Audio:
    samples, rate = speech
    return Audio(samples, rate, name)


@needs_piper
def test_it_speaks_non_silent_24khz_float32_mono(engine):
    audio = speak(engine)
    assert engine.info.sample_rate == 24000
    assert_voiced_mono_24k(audio, min_seconds=3)


@needs_piper
def test_the_same_request_twice_gives_identical_samples_whatever_the_seed(engine):
    first = speak(engine, seed=7)
    assert first.tobytes() == speak(engine, seed=7).tobytes()
    # The noise is off, so there is nothing for a seed to choose (see piper.py's docstring).
    assert first.tobytes() == speak(engine, seed=8).tobytes() == speak(engine).tobytes()


@needs_piper
@pytest.mark.parametrize("speed", [0.5, 1.5])
def test_speed_is_the_length_scale_with_no_time_stretch(engine, speed):
    normal, _ = plan_duration(engine, 1.0)
    duration, stats = plan_duration(engine, speed)
    assert abs(duration / (normal / speed) - 1) < 0.03
    assert stats.stretch_library is None and stats.stretch_ms == 0.0 and stats.warnings == []


@needs_piper
def test_a_speed_beyond_the_native_range_stretches_only_the_rest(engine):
    normal, _ = plan_duration(engine, 1.0)
    duration, stats = plan_duration(engine, 2.0)
    assert abs(duration / (normal / 2.0) - 1) < 0.03
    # 1.5 by the length scale, then 2.0 / 1.5 by the time stretch, which says so.
    assert stats.stretch_library is not None and stats.stretch_ms > 0


@needs_piper
def test_a_stretch_library_that_native_speed_made_unnecessary_is_reported(engine):
    _, stats = plan_duration(engine, 1.25, stretch_library="sox")
    assert stats.stretch_library is None
    assert any("stretch_library sox was not used" in warning for warning in stats.warnings)


@needs_piper
def test_the_length_scale_search_lands_within_a_percent_or_two(engine):
    text = "Please remember to bring the blue notebook when you come to the meeting tomorrow morning."
    normal = speak(engine, text).size
    for speed in (0.25, 0.8, 1.25):
        assert abs(speak(engine, text, speed=speed).size * speed / normal - 1) < 0.02


@needs_piper
def test_it_names_every_sampling_parameter_that_was_set_as_ignored(engine):
    assert engine.ignored_parameters(GenerationParams()) == []
    ignored = engine.ignored_parameters(GenerationParams(temperature=0.7, exaggeration=1.0, cfg_weight=0.3, top_k=5))
    assert sorted(ignored) == ["cfg_weight", "exaggeration", "temperature", "top_k"]


@needs_piper
def test_a_seed_that_was_set_is_reported_as_ignored_and_no_seed_stays_quiet(engine):
    assert engine.info.uses_seed is False
    assert plan_duration(engine, 1.0, seed=42)[1].ignored_parameters == ["seed"]
    assert plan_duration(engine, 1.0)[1].ignored_parameters == []


def test_an_engine_that_uses_the_seed_never_reports_it_as_ignored():
    pieces = []
    plan = SynthesisPlan([Segment("hello.", 42)], "en", None, GenerationParams(temperature=0.5))
    stats = synthesize(FakeEngine(), plan, JobTiming(time.monotonic(), None), pieces.append, threading.Event())
    assert stats.ignored_parameters == []


@needs_piper
def test_a_reference_moves_the_median_f0_onto_the_references(engine):
    builtin = median_f0(speak(engine), 24000)
    reference = recording(high_female(), "high female")
    wanted = median_f0(reference.samples, reference.sample_rate)
    produced = median_f0(speak(engine, voice=reference), 24000)
    assert builtin < 120 < wanted  # a low male voice, a high female reference
    assert abs(produced / wanted - 1) < 0.05
    assert engine.voice_method(reference) == piper.TTS_VOICE_METHOD and "not neural" in piper.TTS_VOICE_METHOD


@needs_piper
def test_a_reference_without_voiced_speech_leaves_the_voice_alone_and_says_so(engine):
    noise = Audio(np.random.default_rng(5).normal(scale=0.1, size=16000).astype(np.float32), 16000, "noise")
    assert engine.voice_method(noise) == piper.UNVOICED_REFERENCE_METHOD
    assert engine.voice_method(None) == ""
    assert speak(engine, voice=noise).tobytes() == speak(engine).tobytes()


@needs_piper
def test_the_language_comes_from_the_voice_config(engine):
    config = json.loads((PACK / f"{VOICE}.onnx.json").read_text())
    assert engine.info.languages == [config["language"]["family"]] == ["en"]


@needs_piper
def test_the_engine_reports_itself_and_its_voice_licence_honestly(engine):
    info = engine.info
    assert info.engine == "piper" and info.variant is None and info.device == "cpu"
    assert info.engine_version == f"piper-tts {importlib.metadata.version('piper-tts')}"
    assert info.watermarked is False and info.voice_conversion and info.max_segment_chars == 300
    assert info.voice_name == VOICE and info.native_speed
    manifest = json.loads((PACK / "manifest.json").read_text())
    assert info.voice_licence == manifest["licence"] and "development and tests only" in info.voice_licence
    assert "not neural" in info.voice_method


@needs_piper
@pytest.mark.parametrize("semitones", [0.0, 3.0])
def test_voice_conversion_moves_the_source_onto_the_target_and_keeps_its_length(engine, semitones):
    source = Audio(speak(engine), 24000, "piper source")
    target = recording(high_female(), "target")
    conversion = engine.convert(source, target, semitones)
    wanted = median_f0(target.samples, target.sample_rate) * 2.0 ** (semitones / 12.0)
    assert abs(median_f0(conversion.samples, 24000) / wanted - 1) < 0.05
    assert conversion.samples.size == source.samples.size
    voiced = ~np.isnan(frame_f0(source.samples, 24000))
    assert np.mean(~np.isnan(frame_f0(conversion.samples, 24000))[voiced]) >= 0.8
    assert "WORLD" in conversion.voice_method and conversion.warnings == []


@needs_piper
def test_voice_conversion_without_a_target_moves_the_source_onto_the_piper_voice(engine):
    source = recording(high_female(), "female source")
    conversion = engine.convert(source, None, 0.0)
    assert abs(median_f0(conversion.samples, 24000) / median_f0(speak(engine), 24000) - 1) < 0.05
    assert conversion.voice_method == ""


@needs_piper
def test_text_is_spoken_as_words_never_as_raw_phonemes(engine):
    assert piper._literal("say [[helo]] or [[[x]]]") == "say [ [helo] ] or [ [ [x] ] ]"
    assert speak(engine, "Tom & Jerry say [[hello]] to 5 > 3.").size > 24000


@needs_piper
def test_text_without_words_gives_empty_audio_even_with_a_reference(engine):
    assert speak(engine, "...").size == 0
    assert speak(engine, "...", voice=recording(low_male(), "male")).size == 0


@needs_piper
def test_auto_without_chatterbox_picks_piper_and_says_why(pack_only, caplog):
    engine = load_engines(LoadSpec(engine="auto", models_dir=pack_only)).default
    assert engine.info.engine == "piper" and engine.info.voice_name == VOICE
    warning = engine.info.warnings[0]
    assert "fell back to Piper because Chatterbox could not load" in warning and "weights not found" in warning
    assert "not neural" in warning
    assert any(r.levelname == "WARNING" and r.name == loader.log.name for r in caplog.records)


def test_auto_without_chatterbox_and_piper_falls_to_espeak_naming_both(tmp_path):
    engine = load_engines(LoadSpec(engine="auto", models_dir=str(tmp_path))).default
    assert engine.info.engine == "espeak"
    warning = engine.info.warnings[0]
    assert "fell back to espeak-ng" in warning and "not neural" in warning
    assert "Chatterbox could not load" in warning and "Piper could not load" in warning


@needs_piper
def test_piper_with_no_voice_installed_is_not_loaded_with_install_advice(tmp_path):
    with pytest.raises(NotLoaded, match="no Piper voice is installed") as caught:
        load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path)))
    assert "npm install" in str(caught.value) and "PIPER=0" in str(caught.value)


@needs_piper
def test_piper_with_the_named_voice_missing_is_not_loaded_naming_the_file(tmp_path):
    with pytest.raises(NotLoaded) as caught:
        load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path), piper_voice=VOICE))
    message = str(caught.value)
    # The reason reaches the public health report: the file relative to the models folder, no machine paths.
    assert f"<models_dir>/piper/{VOICE}/{VOICE}.onnx" in message and str(tmp_path) not in message
    assert "npm install" in message


@needs_piper
def test_an_incomplete_voice_names_its_missing_config(tmp_path):
    folder = tmp_path / "piper" / VOICE
    folder.mkdir(parents=True)
    (folder / f"{VOICE}.onnx").symlink_to(PACK / f"{VOICE}.onnx")
    with pytest.raises(NotLoaded, match=f"lacks {VOICE}.onnx.json"):
        load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path), piper_voice=VOICE))


@needs_piper
def test_a_named_voice_that_is_missing_falls_back_to_an_installed_one_loudly(pack_only):
    engine = load_engines(LoadSpec(engine="piper", models_dir=pack_only, piper_voice="en_US-lessac-medium")).default
    assert engine.info.voice_name == VOICE
    assert "en_US-lessac-medium is unavailable" in engine.info.warnings[0] and VOICE in engine.info.warnings[0]


@needs_piper
def test_loose_files_beside_the_pack_folders_are_voices_too(tmp_path):
    (tmp_path / "piper").mkdir()
    for suffix in (".onnx", ".onnx.json"):
        (tmp_path / "piper" / f"en_US-loose-medium{suffix}").symlink_to(PACK / f"{VOICE}{suffix}")
    (tmp_path / "piper" / ".download-x-1").mkdir()  # a staging folder is never a voice
    assert [v.name for v in piper_voices.installed_voices(str(tmp_path))] == ["en_US-loose-medium"]
    engine = load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path))).default
    assert engine.info.voice_name == "en_US-loose-medium" and engine.info.voice_licence == piper_voices.UNKNOWN_LICENCE


@needs_piper
def test_downloading_is_refused_at_once_when_the_hub_is_unreachable(tmp_path, unreachable_hub):
    spec = LoadSpec(engine="piper", models_dir=str(tmp_path), piper_voice=VOICE, allow_download=True)
    with pytest.raises(NotLoaded, match="the Hugging Face hub is unreachable") as caught:
        load_engines(spec)
    assert f"{VOICE}.onnx" in str(caught.value)
    assert not (tmp_path / "piper" / VOICE).exists()


@needs_piper
def test_a_voice_downloaded_by_name_lands_in_its_folder_with_a_manifest(tmp_path, monkeypatch):
    downloads = importlib.import_module("piper.download_voices")  # piper-tts's, not the engine module
    calls = []

    def fake_download(name, folder, force_redownload=False):  # what piper-tts's downloader leaves behind
        calls.append(name)
        for suffix in (".onnx", ".onnx.json"):
            shutil.copyfile(PACK / f"{VOICE}{suffix}", Path(folder) / f"{name}{suffix}")

    monkeypatch.setattr(downloads, "download_voice", fake_download)
    monkeypatch.setattr(hub_probe, "unreachable_reason", lambda: None)
    spec = LoadSpec(engine="piper", models_dir=str(tmp_path), piper_voice="en_US-other-medium", allow_download=True)
    engine = load_engines(spec).default
    assert calls == ["en_US-other-medium"] and engine.info.voice_name == "en_US-other-medium"
    assert engine.info.voice_licence == piper_voices.DOWNLOADED_LICENCE and engine.info.warnings == []
    assert sorted(p.name for p in (tmp_path / "piper").iterdir()) == ["en_US-other-medium"]  # no staging left


@needs_piper
def test_a_voice_name_that_could_leave_the_folder_is_refused(tmp_path):
    from chatterbox_sidecar.errors import InvalidInput

    with pytest.raises(InvalidInput, match="piper_voice"):
        load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path), piper_voice="../escape"))


def test_piper_tts_missing_is_not_loaded_with_install_advice(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "piper", None)  # makes the import fail
    with pytest.raises(NotLoaded, match="piper-tts is not installed") as caught:
        load_engines(LoadSpec(engine="piper", models_dir=str(tmp_path)))
    assert "npm install" in str(caught.value) and "PIPER=0" in str(caught.value)


def test_load_model_carries_the_piper_voice_both_ways(start_sidecar):
    fake = FakeEngine()
    fake.info.engine, fake.info.voice_name, fake.info.voice_licence = "piper", VOICE, "for tests only"
    sidecar = start_sidecar(fake)
    request = pb.LoadModelRequest(engine=pb.ENGINE_PIPER, models_dir="/models", piper_voice=VOICE)
    model = sidecar.speech.LoadModel(request, timeout=30).model
    assert sidecar.loads[0].engine == "piper" and sidecar.loads[0].piper_voice == VOICE
    assert model.engine == pb.ENGINE_PIPER and model.voice_name == VOICE and model.voice_licence == "for tests only"
