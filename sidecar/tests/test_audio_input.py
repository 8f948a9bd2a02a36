"""Audio given as input: confined paths, whole files (soundfile, ffmpeg fallback) and raw PCM."""

from __future__ import annotations

import io
import os
import subprocess

import numpy as np
import pytest
import soundfile

from chatterbox_sidecar import audio_input
from chatterbox_sidecar.errors import InvalidInput, NotFound, Reason, ServerFault
from chatterbox_sidecar.paths import confine


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.fixture
def roots(tmp_path):
    allowed = tmp_path / "reference_audio"
    outside = tmp_path / "secrets"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "voice.wav").write_bytes(wav_bytes(np.full(1600, 0.25, np.float32)))
    (outside / "secret.wav").write_bytes(wav_bytes(np.zeros(1600, np.float32)))
    return allowed, outside


def test_a_file_inside_an_allowed_root_is_read(roots):
    allowed, _ = roots
    audio = audio_input.from_path(str(allowed / "voice.wav"), [str(allowed)], "input.voice.path")
    assert audio.sample_rate == 16000 and audio.samples.size == 1600
    assert np.allclose(audio.samples, 0.25, atol=1e-3)


@pytest.mark.parametrize(
    "make_path",
    [
        lambda allowed, outside: str(allowed / ".." / "secrets" / "secret.wav"),
        lambda allowed, outside: str(outside / "secret.wav"),
        lambda allowed, outside: str(outside / "missing.wav"),
        lambda allowed, outside: "reference_audio/voice.wav",
        lambda allowed, outside: str(allowed / "voice.wav") + "\0.txt",
        lambda allowed, outside: str(allowed),
    ],
    ids=["traversal", "absolute-outside", "missing-outside", "relative", "nul-byte", "directory"],
)
def test_paths_escaping_or_misusing_the_root_are_invalid(roots, make_path):
    allowed, outside = roots
    with pytest.raises(InvalidInput):
        confine(make_path(allowed, outside), [str(allowed)])


def test_a_symlink_leaving_the_root_is_invalid(roots):
    allowed, outside = roots
    os.symlink(outside / "secret.wav", allowed / "innocent.wav")
    os.symlink(outside, allowed / "linked-dir")
    with pytest.raises(InvalidInput, match="outside the allowed"):
        confine(str(allowed / "innocent.wav"), [str(allowed)])
    with pytest.raises(InvalidInput, match="outside the allowed"):
        confine(str(allowed / "linked-dir" / "secret.wav"), [str(allowed)])


def test_a_symlink_staying_inside_the_root_is_fine(roots):
    allowed, _ = roots
    os.symlink(allowed / "voice.wav", allowed / "alias.wav")
    assert confine(str(allowed / "alias.wav"), [str(allowed)]) == (allowed / "voice.wav").resolve()


def test_a_missing_file_inside_the_root_is_not_found(roots):
    allowed, _ = roots
    with pytest.raises(NotFound):
        confine(str(allowed / "nope.wav"), [str(allowed)])


def test_a_sibling_with_the_root_as_prefix_is_outside(tmp_path):
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio-private").mkdir()
    (tmp_path / "audio-private" / "x.wav").write_bytes(b"RIFF")
    with pytest.raises(InvalidInput):
        confine(str(tmp_path / "audio-private" / "x.wav"), [str(tmp_path / "audio")])


def test_without_allowed_roots_every_path_is_refused(roots):
    allowed, _ = roots
    with pytest.raises(InvalidInput, match="--allowed-root"):
        confine(str(allowed / "voice.wav"), [])


def test_multichannel_files_are_averaged_to_mono():
    stereo = np.stack([np.full(800, 0.5, np.float32), np.full(800, -0.1, np.float32)], axis=1)
    buffer = io.BytesIO()
    soundfile.write(buffer, stereo, 24000, format="FLAC")
    audio = audio_input.from_file_bytes(buffer.getvalue(), "source.file_bytes")
    assert audio.samples.shape == (800,) and np.allclose(audio.samples, 0.2, atol=1e-3)


def test_formats_libsndfile_cannot_read_go_through_ffmpeg():
    tone = wav_bytes((0.3 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000)).astype(np.float32))
    aac = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-c:a", "aac", "-f", "adts", "pipe:1"],
        input=tone,
        capture_output=True,
        check=True,
    ).stdout
    audio = audio_input.from_file_bytes(aac, "source.file_bytes")
    assert audio.sample_rate == audio_input.FFMPEG_DECODE_RATE
    assert abs(audio.duration_seconds - 1.0) < 0.1


def test_undecodable_bytes_are_invalid_and_name_the_field():
    with pytest.raises(InvalidInput, match=r"source\.file_bytes could not be decoded") as caught:
        audio_input.from_file_bytes(b"definitely not audio" * 10, "source.file_bytes")
    assert caught.value.reason == Reason.UNDECODABLE_AUDIO
    assert caught.value.metadata == {"field": "source.file_bytes"}


def test_a_missing_ffmpeg_is_the_servers_fault_not_the_callers(monkeypatch):
    monkeypatch.setattr(audio_input, "FFMPEG", "ffmpeg-that-is-not-installed")
    with pytest.raises(ServerFault, match="ffmpeg is not installed on the sidecar's machine"):
        audio_input.from_file_bytes(b"not a format libsndfile reads" * 10, "target_voice.file_bytes")


def test_a_path_outside_the_roots_is_not_allowed_and_names_the_field(roots):
    allowed, outside = roots
    with pytest.raises(InvalidInput, match=r"target_voice\.path is outside the allowed directories") as caught:
        audio_input.from_path(str(outside / "secret.wav"), [str(allowed)], "target_voice.path")
    assert caught.value.reason == Reason.PATH_NOT_ALLOWED
    assert caught.value.metadata == {"field": "target_voice.path"}


def test_pcm_s16_is_scaled_and_interleaved_channels_are_averaged():
    interleaved = np.array([16384, -16384, 8192, 8192], dtype="<i2").tobytes()
    audio = audio_input.from_pcm(interleaved, "s16le", 8000, 2, "source.pcm")
    assert audio.samples.tolist() == [0.0, 0.25]


def test_pcm_with_a_partial_frame_is_invalid():
    with pytest.raises(InvalidInput, match=r"source\.pcm\.data has 3 bytes, not a multiple of 4"):
        audio_input.from_pcm(b"\0\0\0", "f32le", 8000, 1, "source.pcm")


def test_pcm_without_a_rate_names_the_full_field():
    with pytest.raises(InvalidInput, match=r"input\.voice\.pcm\.format\.sample_rate_hz must be set") as caught:
        audio_input.from_pcm(b"\0\0", "s16le", 0, 1, "input.voice.pcm")
    assert caught.value.metadata == {"field": "input.voice.pcm.format.sample_rate_hz"}


def test_the_hash_identifies_the_input_bytes():
    first = audio_input.from_pcm(np.ones(4, "<f4").tobytes(), "f32le", 8000, 1, "pcm")
    second = audio_input.from_pcm(np.ones(4, "<f4").tobytes(), "f32le", 8000, 1, "pcm")
    other = audio_input.from_pcm(np.zeros(4, "<f4").tobytes(), "f32le", 8000, 1, "pcm")
    assert first.sha256 == second.sha256 != other.sha256
