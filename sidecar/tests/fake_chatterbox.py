"""A stand-in for the official `chatterbox` package with the same class names, signatures and
behaviour that the adapter relies on (stateful `conds`, in-place `Conditionals.to`, (1, N) output)."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path
from typing import ClassVar

import numpy as np

SR = 24000
SUPPORTED_LANGUAGES = {"ar": "Arabic", "en": "English", "fr": "French", "zh": "Chinese"}


class FakeTensor:
    """Just enough of a torch tensor: detach().cpu().numpy() and .to(device)."""

    def __init__(self, array: np.ndarray, device: str = "cpu") -> None:
        self.array, self.device = array, device

    def detach(self) -> FakeTensor:
        return self

    def cpu(self) -> FakeTensor:
        return FakeTensor(self.array, "cpu")

    def numpy(self) -> np.ndarray:
        assert self.device == "cpu", "numpy() on a device tensor"
        return self.array

    def to(self, device: str) -> FakeTensor:
        return FakeTensor(self.array, device)


class Conditionals:
    """Like the official one: `to()` moves in place and returns self."""

    def __init__(self, tag: str, device: str = "cpu") -> None:
        self.tag, self.device, self.gen = tag, device, {"embedding": FakeTensor(np.zeros(3), device)}

    def to(self, device: str) -> Conditionals:
        self.device = device
        self.gen = {k: v.to(device) for k, v in self.gen.items()}
        return self


def _tag_of(wav_fpath: str) -> str:
    return hashlib.sha256(Path(wav_fpath).read_bytes()).hexdigest()[:12]


def _seconds_of(wav_fpath: str) -> float:
    import soundfile

    info = soundfile.info(wav_fpath)
    return info.frames / info.samplerate


class _FakeTTS:
    """Shared behaviour of the three TTS classes."""

    def __init__(self, device: str, loaded_from: tuple, conds: Conditionals | None) -> None:
        self.sr, self.device, self.loaded_from, self.conds = SR, device, loaded_from, conds
        self.s3gen = object()
        self.generate_calls: list[dict] = []
        self.prepared: list[str] = []
        self.conds_seen: list[Conditionals] = []

    @classmethod
    def from_local(cls, ckpt_dir, device):
        builtin = Conditionals("builtin", device) if (Path(ckpt_dir) / "conds.pt").exists() else None
        return cls(device, ("local", str(ckpt_dir)), builtin)

    @classmethod
    def from_pretrained(cls, device):
        return cls(device, ("pretrained",), Conditionals("builtin", device))

    def prepare_conditionals(self, wav_fpath, exaggeration=0.5):
        self.prepared.append(_tag_of(wav_fpath))
        self.conds = Conditionals(_tag_of(wav_fpath), self.device)

    ACCEPTS: tuple[str, ...] = ()

    def generate(self, text, **arguments) -> FakeTensor:
        """Records exactly the keyword arguments passed; unknown ones fail like the real signature would."""
        unexpected = set(arguments) - set(self.ACCEPTS)
        if unexpected:
            raise TypeError(f"generate() got an unexpected keyword argument {sorted(unexpected)[0]!r}")
        assert arguments.get("audio_prompt_path") is None, "the adapter must pass cached conditionals, not a path"
        assert self.conds is not None and self.conds.device == self.device
        self.conds_seen.append(self.conds)
        self.generate_calls.append(dict(arguments))
        return FakeTensor(np.full((1, 10 * len(text)), 0.1, dtype=np.float32))


class ChatterboxTTS(_FakeTTS):
    ACCEPTS = ("repetition_penalty", "min_p", "top_p", "audio_prompt_path", "exaggeration", "cfg_weight", "temperature")


class ChatterboxMultilingualTTS(_FakeTTS):
    ACCEPTS = (*ChatterboxTTS.ACCEPTS, "language_id")

    def generate(self, text, **arguments) -> FakeTensor:
        if arguments.get("language_id", "").lower() not in SUPPORTED_LANGUAGES:
            raise ValueError(f"Unsupported language_id {arguments.get('language_id')!r}")
        return super().generate(text, **arguments)


class ChatterboxTurboTTS(_FakeTTS):
    ACCEPTS = (*ChatterboxTTS.ACCEPTS, "top_k", "norm_loudness")

    def prepare_conditionals(self, wav_fpath, exaggeration=0.5, norm_loudness=True):
        assert _seconds_of(wav_fpath) > 5.0, "Audio prompt must be longer than 5 seconds!"
        super().prepare_conditionals(wav_fpath, exaggeration)


class ChatterboxVC:
    instances: ClassVar[list[ChatterboxVC]] = []  # every instance, shared on purpose: tests inspect them

    def __init__(self, s3gen, device, ref_dict=None):
        self.sr, self.s3gen, self.device = SR, s3gen, device
        self.ref_dict = None if ref_dict is None else {k: v.to(device) for k, v in ref_dict.items()}
        self.loaded_from: tuple = ("constructor",)
        self.targets_set: list[str] = []
        self.target_audio: list[tuple[np.ndarray, int]] = []  # (samples, rate) of every file set as target
        ChatterboxVC.instances.append(self)

    @classmethod
    def from_local(cls, ckpt_dir, device):
        builtin = Conditionals("builtin").gen if (Path(ckpt_dir) / "conds.pt").exists() else None
        vc = cls(object(), device, ref_dict=builtin)
        vc.loaded_from = ("local", str(ckpt_dir))
        return vc

    @classmethod
    def from_pretrained(cls, device):
        vc = cls(object(), device, ref_dict=Conditionals("builtin").gen)
        vc.loaded_from = ("pretrained",)
        return vc

    def set_target_voice(self, wav_fpath):
        import soundfile

        self.targets_set.append(_tag_of(wav_fpath))
        self.target_audio.append(soundfile.read(wav_fpath, dtype="float32"))
        self.ref_dict = {"embedding": FakeTensor(np.ones(3), self.device), "tag": _tag_of(wav_fpath)}

    def generate(self, audio, target_voice_path=None):
        assert target_voice_path is None, "the adapter must pass a cached target, not a path"
        assert self.ref_dict is not None
        assert all(v.device == self.device for v in self.ref_dict.values() if isinstance(v, FakeTensor))
        import soundfile

        samples, _ = soundfile.read(audio, dtype="float32")
        self.last_target = self.ref_dict.get("tag", "builtin")
        return FakeTensor(samples[None, :] * 0.5)


def install(monkeypatch) -> None:
    """Puts the fake package in sys.modules (restored by monkeypatch), whether or not the real one exists."""
    ChatterboxVC.instances.clear()
    package = types.ModuleType("chatterbox")
    modules = {
        "chatterbox": package,
        "chatterbox.tts": types.ModuleType("chatterbox.tts"),
        "chatterbox.mtl_tts": types.ModuleType("chatterbox.mtl_tts"),
        "chatterbox.tts_turbo": types.ModuleType("chatterbox.tts_turbo"),
        "chatterbox.vc": types.ModuleType("chatterbox.vc"),
    }
    package.__path__ = []
    modules["chatterbox.tts"].ChatterboxTTS = ChatterboxTTS
    modules["chatterbox.mtl_tts"].ChatterboxMultilingualTTS = ChatterboxMultilingualTTS
    modules["chatterbox.mtl_tts"].SUPPORTED_LANGUAGES = SUPPORTED_LANGUAGES
    modules["chatterbox.tts_turbo"].ChatterboxTurboTTS = ChatterboxTurboTTS
    modules["chatterbox.vc"].ChatterboxVC = ChatterboxVC
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
