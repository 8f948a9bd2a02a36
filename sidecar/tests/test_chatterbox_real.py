"""Opt-in: our adapter driven through the REAL chatterbox-tts classes, with random weights.

Run with `npm run test:chatterbox` (or `pytest -m chatterbox_real`) after installing
requirements-chatterbox.txt. Checkpoints are built by tiny_chatterbox.py and written where the official
`from_local` reads them, so loading, conditioning, sampling, decoding and watermarking all run for
real. The audio is noise: the tests check shapes, dtype, rate, finiteness and our caching, not quality.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grpc
import numpy as np
import pytest

from chatterbox_sidecar import audio_input
from chatterbox_sidecar.engines.base import Audio, GenerationParams, SegmentRequest
from chatterbox_sidecar.engines.loader import LoadSpec, load_chatterbox
from chatterbox_sidecar.errors import InvalidInput
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb
from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2_grpc
from chatterbox_sidecar.seeding import seed_everything
from chatterbox_sidecar.server import Settings, Sidecar

pytestmark = pytest.mark.chatterbox_real
RATE = 24000


def load_audio(path: Path) -> Audio:
    return audio_input.from_file_bytes(path.read_bytes(), "input.voice.file_bytes")


def speak(engine, text: str = "Hello there.", voice: Audio | None = None, language: str = "en", **params) -> np.ndarray:
    return engine.synthesize(SegmentRequest(text, language, voice, GenerationParams(**params), None))


def assert_audio(samples: np.ndarray) -> None:
    assert samples.dtype == np.float32 and samples.ndim == 1 and samples.size > 0
    assert np.isfinite(samples).all()


@pytest.fixture(scope="module")
def tiny():
    """The checkpoint builder; imported lazily so the default suite never loads torch."""
    pytest.importorskip("chatterbox.tts", reason="chatterbox-tts is not installed (npm run setup:chatterbox)")
    import tiny_chatterbox

    return tiny_chatterbox


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, tiny) -> Path:
    root = tmp_path_factory.mktemp("tiny-chatterbox")
    tiny.reference_wav(root / "long.wav", seconds=6.0, f0=140.0)
    tiny.reference_wav(root / "short.wav", seconds=3.0, f0=210.0)
    with tiny.tiny_configs("english"):
        tiny.build_english(root / "chatterbox", root / "long.wav")
    return root


@pytest.fixture(scope="class")
def english(workdir, tiny):
    with tiny.tiny_configs("english"):
        engine = load_chatterbox(LoadSpec(engine="chatterbox", variant="english", models_dir=str(workdir)))
    yield engine
    engine.close()


class TestEnglish:
    def test_it_loads_the_official_classes_from_local_on_cpu(self, english, workdir):
        assert type(english._tts).__module__ == "chatterbox.tts" and type(english._tts).__name__ == "ChatterboxTTS"
        assert type(english._vc).__name__ == "ChatterboxVC" and english._vc.s3gen is english._tts.s3gen
        info = english.info
        assert (info.engine, info.variant, info.device, info.sample_rate) == ("chatterbox", "english", "cpu", RATE)
        assert info.watermarked and info.voice_conversion and info.languages == ["en"]
        assert info.engine_version == "chatterbox-tts 0.1.7"

    def test_a_reference_voice_gives_24khz_float32_and_its_conditionals_are_cached(self, english, workdir):
        voice = load_audio(workdir / "short.wav")
        first = speak(english, voice=voice)
        second = speak(english, "Another sentence.", voice=voice)
        assert_audio(first) and assert_audio(second)
        assert (english._tts_cache.misses, english._tts_cache.hits) == (1, 1)
        cached = next(iter(english._tts_cache._entries.values()))
        assert english._tts.conds is not cached  # the model got a copy
        assert cached.t3.speaker_emb.device.type == "cpu"

    def test_the_builtin_voice_from_conds_pt_speaks(self, english):
        assert_audio(speak(english))

    def test_the_same_seed_repeats_the_same_audio(self, english, workdir):
        voice = load_audio(workdir / "short.wav")
        takes = []
        for _ in range(2):
            seed_everything(1234)
            takes.append(speak(english, voice=voice, temperature=0.7))
        assert np.array_equal(takes[0], takes[1])

    def test_set_parameters_reach_the_official_generate(self, english, workdir):
        assert_audio(speak(english, exaggeration=0.9, temperature=0.6, min_p=0.1, top_p=0.9, repetition_penalty=1.3))

    def test_voice_conversion_keeps_the_source_duration(self, english, workdir):
        source = load_audio(workdir / "short.wav")
        target = load_audio(workdir / "long.wav")
        for _ in range(2):
            conversion = english.convert(source, target)
        assert_audio(conversion.samples) and conversion.warnings == []
        assert abs(conversion.samples.size / RATE - source.duration_seconds) < 0.25
        assert (english._vc_cache.misses, english._vc_cache.hits) == (1, 1)
        assert_audio(english.convert(source, None).samples)

    def test_a_pitch_shifted_target_is_embedded_once_per_shift(self, english, workdir):
        source = load_audio(workdir / "short.wav")
        target = load_audio(workdir / "long.wav")
        misses = english._vc_cache.misses
        shifted = english.convert(source, target, pitch_shift_semitones=3.0)
        assert_audio(shifted.samples)
        assert "semitones" in shifted.voice_method
        assert english._vc_cache.misses == misses + 1


def test_the_grpc_service_end_to_end(workdir, tiny):
    sidecar = Sidecar(Settings(listen="127.0.0.1:0", allowed_roots=(str(workdir),)))
    address = sidecar.start()
    try:
        with grpc.insecure_channel(address) as channel:
            speech = speech_pb2_grpc.SpeechServiceStub(channel)
            with tiny.tiny_configs("english"):
                info = speech.LoadModel(
                    pb.LoadModelRequest(engine=pb.ENGINE_CHATTERBOX, models_dir=str(workdir)), timeout=300
                ).model
            assert info.engine == pb.ENGINE_CHATTERBOX and info.watermarked and info.sample_rate_hz == RATE
            voice = pb.AudioSource(path=str(workdir / "short.wav"))
            request = pb.SynthesizeStreamRequest(
                max_chunk_ms=200,
                input=pb.SynthesisInput(
                    voice=voice, segments=[pb.Segment(text="First.", seed=1), pb.Segment(text="Second.", seed=2)]
                ),
            )
            events = list(speech.SynthesizeStream(request, timeout=300))
            assert events[0].start.format.sample_rate_hz == RATE and events[0].start.engine == pb.ENGINE_CHATTERBOX
            chunks = [e.audio for e in events if e.WhichOneof("event") == "audio"]
            assert {c.segment_index for c in chunks} == {0, 1} and all(len(c.data) <= 4 * RATE // 5 for c in chunks)
            stats = events[-1].end.stats
            assert stats.watermarked and stats.audio_samples == sum(len(c.data) // 4 for c in chunks)
            converted = speech.Convert(
                pb.ConvertRequest(source=voice, encoding=pb.AUDIO_ENCODING_PCM_S16LE), timeout=300
            )
            assert converted.audio.format.sample_rate_hz == RATE and len(converted.audio.data) > 0
    finally:
        sidecar.stop(0)


@pytest.fixture(scope="class")
def multilingual(workdir, tiny):
    with pytest.MonkeyPatch.context() as patch:
        # spacy-pkuseg downloads its Chinese segmentation model from GitHub on first use, which this
        # offline machine cannot do; the official tokenizer then skips Chinese segmentation.
        patch.setitem(sys.modules, "spacy_pkuseg", None)
        with tiny.tiny_configs("multilingual"):
            tiny.build_multilingual(workdir / "chatterbox-multilingual", workdir / "long.wav", ("en", "fr"))
            engine = load_chatterbox(LoadSpec(engine="chatterbox", variant="multilingual", models_dir=str(workdir)))
        yield engine
        engine.close()


class TestMultilingual:
    def test_it_lists_the_package_languages_and_passes_language_id(self, multilingual, workdir):
        from chatterbox.mtl_tts import SUPPORTED_LANGUAGES

        assert multilingual.info.languages == sorted(SUPPORTED_LANGUAGES) and len(SUPPORTED_LANGUAGES) == 23
        assert type(multilingual._tts).__name__ == "ChatterboxMultilingualTTS"
        assert_audio(
            speak(multilingual, "Bonjour tout le monde.", voice=load_audio(workdir / "short.wav"), language="fr")
        )

    def test_voice_conversion_comes_from_the_english_folder(self, multilingual, workdir):
        assert multilingual._vc.s3gen is not multilingual._tts.s3gen
        assert_audio(multilingual.convert(load_audio(workdir / "short.wav"), None).samples)


@pytest.fixture(scope="class")
def turbo(workdir, tiny):
    with tiny.tiny_configs("turbo"):
        tiny.build_turbo(workdir / "chatterbox-turbo", workdir / "long.wav")
        engine = load_chatterbox(LoadSpec(engine="chatterbox", variant="turbo", models_dir=str(workdir)))
    yield engine
    engine.close()


class TestTurbo:
    def test_it_speaks_with_a_long_reference_and_passes_top_k(self, turbo, workdir):
        assert type(turbo._tts).__name__ == "ChatterboxTurboTTS"
        params = GenerationParams(top_k=50, temperature=0.7, cfg_weight=0.5)
        assert turbo.ignored_parameters(params) == ["cfg_weight"]
        samples = turbo.synthesize(SegmentRequest("Hello there.", "en", load_audio(workdir / "long.wav"), params, None))
        assert_audio(samples)

    def test_a_short_reference_is_refused_before_the_official_assert(self, turbo, workdir):
        with pytest.raises(InvalidInput, match="longer than 5 s"):
            speak(turbo, voice=load_audio(workdir / "short.wav"))

    def test_the_builtin_voice_speaks(self, turbo):
        assert_audio(speak(turbo))
