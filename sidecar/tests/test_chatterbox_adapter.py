"""The Chatterbox adapter against a fake of the official package, injected into sys.modules.

Runs in the default suite whether or not chatterbox-tts is installed: the fake always replaces it.
"""

from __future__ import annotations

import socket
import sys
import types

import numpy as np
import pytest

from chatterbox_sidecar import pcm
from chatterbox_sidecar.engines import chatterbox, chatterbox_models, hub_probe, loader, torch_support
from chatterbox_sidecar.engines.base import Audio, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.loader import LoadSpec, load_chatterbox, load_engines
from chatterbox_sidecar.errors import InvalidInput, NotLoaded, OutOfMemory, WrongKind
from chatterbox_sidecar.pitch import median_f0

import fake_chatterbox
from espeak_speech import high_female, low_male


@pytest.fixture
def accelerators(monkeypatch):
    """What the fake machine has; tests flip these."""
    available = {"cuda": False, "mps": False}
    monkeypatch.setattr(torch_support, "available_accelerators", lambda: dict(available))
    return available


@pytest.fixture
def closed_port():
    """A local port that refuses connections: bound, so nothing else takes it, but not listening."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture(autouse=True)
def fake_package(monkeypatch, accelerators, closed_port):
    fake_chatterbox.install(monkeypatch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # restored afterwards whatever the loader sets
    # No test may reach the real hub; each one starts without remembered probe outcomes.
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setattr(hub_probe, "_outcomes", {})


@pytest.fixture
def hub_connects(monkeypatch):
    """Records every TCP connect the probe makes (and makes it for real)."""
    attempts: list[tuple[str, int]] = []
    connect = socket.create_connection

    def counting(address, *args, **kwargs):
        attempts.append(address)
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counting)
    return attempts


@pytest.fixture
def pretrained_calls(monkeypatch):
    """Records calls of the fake ChatterboxTTS.from_pretrained."""
    calls: list[str] = []
    original = fake_chatterbox.ChatterboxTTS.from_pretrained.__func__

    def recording(cls, device):
        calls.append(device)
        return original(cls, device)

    monkeypatch.setattr(fake_chatterbox.ChatterboxTTS, "from_pretrained", classmethod(recording))
    return calls


def models_dir(tmp_path, variant: str = "english", builtin_voice: bool = True, with_vc: bool = False):
    """A models folder holding (empty) copies of the files from_local expects."""
    for files in [chatterbox_models.VARIANTS[variant]] + ([chatterbox_models.VOICE_CONVERSION] if with_vc else []):
        folder = tmp_path / files.folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in files.required + (("conds.pt",) if builtin_voice else ()):
            (folder / name).write_bytes(b"")
    return str(tmp_path)


def voice(seconds: float = 2.0, f0: float = 150.0) -> Audio:
    t = np.arange(int(seconds * 16000)) / 16000
    samples = (0.2 * np.sin(2 * np.pi * f0 * t)).astype(np.float32)
    return Audio(samples, 16000, f"voice-{seconds}-{f0}")


def segment(text: str = "Hello there.", voice_audio=None, language: str = "en", **params) -> SegmentRequest:
    return SegmentRequest(text, language, voice_audio, GenerationParams(**params), None)


def test_local_weights_are_loaded_with_from_local(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    assert engine._tts.loaded_from == ("local", str(tmp_path / "chatterbox"))
    assert engine.info.engine == "chatterbox" and engine.info.variant == "english"


def test_missing_weights_without_download_are_not_loaded_with_the_folder_and_files(tmp_path):
    with pytest.raises(NotLoaded) as caught:
        load_chatterbox(LoadSpec(engine="chatterbox", variant="turbo", models_dir=str(tmp_path)))
    message = str(caught.value)
    # The reason reaches the public health report, so it names the folder without the machine's paths.
    assert "<models_dir>/chatterbox-turbo" in message and str(tmp_path) not in message
    assert "t3_turbo_v1.safetensors" in message and "s3gen_meanflow.safetensors" in message


def test_missing_weights_with_download_allowed_use_from_pretrained(tmp_path, monkeypatch, pretrained_calls):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    with socket.create_server(("127.0.0.1", 0)) as hub:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{hub.getsockname()[1]}")
        engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=str(tmp_path), allow_download=True))
    assert engine._tts.loaded_from == ("pretrained",) and pretrained_calls == ["cpu"]


def test_auto_falls_back_at_once_when_the_hub_is_unreachable(
    tmp_path, monkeypatch, closed_port, hub_connects, pretrained_calls
):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    spec = LoadSpec(engine="auto", models_dir=str(tmp_path), allow_download=True)
    engine = load_engines(spec).default
    assert engine.info.engine == "espeak"
    warning = engine.info.warnings[0]
    assert "weights are not in" in warning and "the Hugging Face hub is unreachable" in warning
    assert f"127.0.0.1:{closed_port}" in warning
    with pytest.raises(NotLoaded, match="hub is unreachable"):  # LoadModel again: the outcome is remembered
        load_chatterbox(spec)
    assert hub_connects == [("127.0.0.1", closed_port)]
    assert pretrained_calls == []


def test_hub_offline_mode_fails_fast_without_probing(tmp_path, hub_connects, pretrained_calls):
    with pytest.raises(NotLoaded, match=r"hub is unreachable \(HF_HUB_OFFLINE is set\)"):
        load_chatterbox(LoadSpec(engine="chatterbox", models_dir=str(tmp_path), allow_download=True))
    assert hub_connects == [] and pretrained_calls == []


def test_weights_in_the_hub_cache_load_while_the_hub_is_unreachable(tmp_path, monkeypatch, pretrained_calls):
    cache = types.ModuleType("huggingface_hub")
    cache.try_to_load_from_cache = lambda repo, name: (
        f"/cache/{repo}/{name}" if repo == "ResembleAI/chatterbox" else None
    )
    monkeypatch.setitem(sys.modules, "huggingface_hub", cache)
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=str(tmp_path), allow_download=True))
    assert engine._tts.loaded_from == ("pretrained",) and pretrained_calls == ["cpu"]


@pytest.mark.parametrize("cuda,mps,expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_auto_device_prefers_cuda_then_mps_then_cpu(tmp_path, accelerators, cuda, mps, expected):
    accelerators.update(cuda=cuda, mps=mps)
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    assert engine.info.device == expected and engine._tts.device == expected


def test_an_explicit_device_that_is_missing_is_not_loaded_and_a_bad_name_is_invalid(tmp_path):
    with pytest.raises(NotLoaded, match="no cuda device"):
        load_chatterbox(LoadSpec(engine="chatterbox", device="cuda", models_dir=models_dir(tmp_path)))
    with pytest.raises(InvalidInput):
        load_chatterbox(LoadSpec(engine="chatterbox", device="tpu", models_dir=models_dir(tmp_path)))
    assert torch_support.choose_device("cuda:1", {"cuda": True}) == "cuda:1"


def test_only_the_parameters_the_caller_set_are_passed(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    engine.synthesize(segment())
    engine.synthesize(segment(temperature=0.5, cfg_weight=0.3))
    assert engine._tts.generate_calls == [{}, {"temperature": 0.5, "cfg_weight": 0.3}]


def test_the_output_is_flat_float32_at_24khz(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    audio = engine.synthesize(segment("abcd"))
    assert audio.dtype == np.float32 and audio.shape == (40,)
    assert engine.info.sample_rate == 24000 and engine.info.watermarked is True
    assert engine.info.engine_version.startswith("chatterbox-tts ")


def test_multilingual_passes_language_id_and_lists_the_package_languages(tmp_path):
    engine = load_chatterbox(
        LoadSpec(engine="chatterbox", variant="multilingual", models_dir=models_dir(tmp_path, "multilingual"))
    )
    assert engine.info.languages == sorted(fake_chatterbox.SUPPORTED_LANGUAGES)
    engine.synthesize(segment(language="fr", exaggeration=0.7))
    assert engine._tts.generate_calls == [{"language_id": "fr", "exaggeration": 0.7}]


def test_english_and_turbo_speak_english_only(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    assert engine.info.languages == ["en"]


def test_turbo_drops_what_it_ignores_and_names_it(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", variant="turbo", models_dir=models_dir(tmp_path, "turbo")))
    params = GenerationParams(cfg_weight=0.5, exaggeration=0.7, min_p=0.1, top_k=50, temperature=0.6)
    assert engine.ignored_parameters(params) == ["exaggeration", "cfg_weight", "min_p"]
    engine.synthesize(SegmentRequest("Hi.", "en", None, params, None))
    assert engine._tts.generate_calls == [{"temperature": 0.6, "top_k": 50}]


def test_top_k_is_turbo_only(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    assert engine.ignored_parameters(GenerationParams(top_k=5)) == ["top_k"]
    engine.synthesize(segment(top_k=5))  # the official ChatterboxTTS.generate has no top_k: it must not be passed
    assert engine._tts.generate_calls == [{}]


def test_turbo_needs_a_reference_longer_than_five_seconds(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", variant="turbo", models_dir=models_dir(tmp_path, "turbo")))
    with pytest.raises(InvalidInput, match="longer than 5 s"):
        engine.synthesize(segment(voice_audio=voice(seconds=4.0)))
    engine.synthesize(segment(voice_audio=voice(seconds=6.0)))


def test_voice_conditionals_are_cached_by_audio_hash_and_copied_to_the_device_per_use(tmp_path, accelerators):
    accelerators.update(cuda=True)
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    first, second = voice(f0=150), voice(f0=220)
    for reference in (first, first, second, first):
        engine.synthesize(segment(voice_audio=reference))
    assert len(engine._tts.prepared) == 2  # one preparation per distinct audio
    assert engine._tts_cache.hits == 2 and engine._tts_cache.misses == 2
    seen = engine._tts.conds_seen
    assert all(c.device == "cuda" for c in seen)
    assert len({id(c) for c in seen}) == 4  # a fresh copy every time
    assert [c.tag for c in seen] == [seen[0].tag, seen[0].tag, seen[2].tag, seen[0].tag] and seen[0].tag != seen[2].tag
    assert all(entry.device == "cpu" for entry in engine._tts_cache._entries.values())


def test_no_voice_uses_a_copy_of_the_builtin_voice_and_its_absence_is_failed_precondition(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    engine.synthesize(segment(voice_audio=voice()))
    engine.synthesize(segment())
    assert engine._tts.conds_seen[-1].tag == "builtin"
    bare = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path / "bare", builtin_voice=False)))
    with pytest.raises(WrongKind, match="no built-in voice"):
        bare.synthesize(segment())


def test_english_voice_conversion_shares_the_decoder_and_caches_targets(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    vc = engine._vc
    assert vc.s3gen is engine._tts.s3gen and engine.info.voice_conversion
    source = Audio(np.linspace(-0.5, 0.5, 2400, dtype=np.float32), 24000, "source")
    target = voice(f0=200)
    for _ in range(2):
        conversion = engine.convert(source, target)
    assert len(vc.targets_set) == 1 and vc.last_target == vc.targets_set[0]
    assert conversion.samples.dtype == np.float32 and conversion.samples.shape == (2400,)
    assert conversion.warnings == [] and conversion.voice_method == chatterbox.CONVERSION_METHOD
    builtin = engine.convert(source, None)
    assert vc.last_target == "builtin" and builtin.voice_method == ""


def speech_audio(speech: tuple[np.ndarray, int], name: str) -> Audio:
    samples, rate = speech
    return Audio(samples, rate, name)


@pytest.mark.parametrize("semitones", [4.0, -5.0])
def test_a_pitch_shift_moves_the_target_reference_before_the_model_embeds_it(tmp_path, semitones):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    target = speech_audio(high_female(), "female target")
    conversion = engine.convert(speech_audio(low_male(), "male source"), target, semitones)
    samples, rate = engine._vc.target_audio[-1]
    wanted = median_f0(target.samples, target.sample_rate) * 2.0 ** (semitones / 12.0)
    assert abs(median_f0(samples, rate) / wanted - 1) < 0.05
    assert abs(samples.size / rate - target.duration_seconds) < 0.01
    assert f"{semitones:+g} semitones" in conversion.voice_method and "ChatterboxVC" in conversion.voice_method


def test_the_shift_is_part_of_the_target_cache_key(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    source, target = voice(f0=120), speech_audio(high_female(), "female target")
    for semitones in (0.0, 3.0, 3.0, 0.0, -3.0):
        engine.convert(source, target, semitones)
    assert engine._vc_cache.misses == 3 and engine._vc_cache.hits == 2
    unshifted, rate = engine._vc.target_audio[0]
    assert abs(median_f0(unshifted, rate) / median_f0(target.samples, target.sample_rate) - 1) < 0.01


def test_a_pitch_shift_with_the_builtin_target_shifts_the_converted_output(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    samples, rate = high_female()
    # The fake model returns the source's samples at half level, unresampled: hand it 24 kHz.
    source = Audio(pcm.resample(samples, rate, 24000), 24000, "female source")
    conversion = engine.convert(source, None, -4.0)
    wanted = median_f0(source.samples, source.sample_rate) * 2.0 ** (-4.0 / 12.0)
    assert abs(median_f0(conversion.samples, 24000) / wanted - 1) < 0.05
    assert "output's pitch was shifted" in conversion.warnings[0] and conversion.voice_method == ""


def test_a_target_without_voiced_speech_cannot_be_shifted(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    noise = Audio(np.random.default_rng(2).normal(scale=0.1, size=16000).astype(np.float32), 16000, "noise")
    with pytest.raises(InvalidInput, match="no voiced speech") as caught:
        engine.convert(voice(), noise, 2.0)
    assert caught.value.metadata["field"] == "target_voice"


def test_the_voice_methods_name_the_neural_models(tmp_path):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    assert engine.info.voice_method == f"{chatterbox.CLONING_METHOD}; {chatterbox.CONVERSION_METHOD}"
    assert engine.voice_method(voice()) == chatterbox.CLONING_METHOD and engine.voice_method(None) == ""
    turbo_dir = models_dir(tmp_path / "turbo-only", "turbo")
    turbo = load_chatterbox(LoadSpec(engine="chatterbox", variant="turbo", models_dir=turbo_dir))
    assert turbo.info.voice_method == chatterbox.CLONING_METHOD  # no ChatterboxVC loaded


def test_other_variants_load_voice_conversion_from_the_english_folder_or_warn(tmp_path):
    with_vc = load_chatterbox(
        LoadSpec(
            engine="chatterbox", variant="multilingual", models_dir=models_dir(tmp_path, "multilingual", with_vc=True)
        )
    )
    assert with_vc._vc.loaded_from == ("local", str(tmp_path / "chatterbox"))
    without = load_chatterbox(
        LoadSpec(engine="chatterbox", variant="turbo", models_dir=models_dir(tmp_path / "t", "turbo"))
    )
    assert not without.info.voice_conversion
    assert "voice conversion is unavailable" in without.info.warnings[0]
    with pytest.raises(WrongKind):
        without.convert(voice(), None)


def test_device_out_of_memory_clears_the_cache_and_is_out_of_memory(tmp_path, monkeypatch):
    engine = load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    engine.synthesize(segment(voice_audio=voice()))

    class FakeOOM(RuntimeError):
        pass

    def exhausted(*_args, **_kwargs):
        raise FakeOOM("CUDA out of memory")

    monkeypatch.setattr(torch_support, "is_out_of_memory", lambda error: isinstance(error, FakeOOM))
    monkeypatch.setattr(engine._tts, "generate", exhausted)
    with pytest.raises(OutOfMemory):
        engine.synthesize(segment(voice_audio=voice()))
    assert len(engine._tts_cache) == 0


def test_a_crash_inside_the_official_loader_is_not_loaded_naming_its_type_and_logging_its_text(
    tmp_path, monkeypatch, caplog
):
    def broken(cls, ckpt_dir, device):
        raise TypeError(f"'NoneType' object is not callable in {ckpt_dir}")

    monkeypatch.setattr(fake_chatterbox.ChatterboxTTS, "from_local", classmethod(broken))
    with pytest.raises(NotLoaded, match=r"failed to load \(TypeError\)") as caught:
        load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
    # The reason reaches the public health report: no paths there; the text is in the log.
    assert str(tmp_path) not in str(caught.value)
    assert any("NoneType" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_auto_uses_chatterbox_when_it_loads(tmp_path):
    engine = load_engines(LoadSpec(engine="auto", models_dir=models_dir(tmp_path))).default
    assert engine.info.engine == "chatterbox" and engine.info.warnings == []


def test_auto_falls_back_to_espeak_loudly_when_chatterbox_cannot_load(tmp_path, caplog):
    engine = load_engines(LoadSpec(engine="auto", models_dir=str(tmp_path))).default
    assert engine.info.engine == "espeak"
    assert "fell back to espeak-ng" in engine.info.warnings[0] and "not neural" in engine.info.warnings[0]
    assert any(r.levelname == "WARNING" and r.name == loader.log.name for r in caplog.records)


def test_the_package_missing_is_not_loaded_with_install_advice(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "chatterbox.tts", None)  # makes the import fail
    with pytest.raises(NotLoaded, match="setup:chatterbox"):
        load_chatterbox(LoadSpec(engine="chatterbox", models_dir=models_dir(tmp_path)))
