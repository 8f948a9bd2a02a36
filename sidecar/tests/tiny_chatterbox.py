"""Builds real Chatterbox checkpoints with random weights, small where the official code allows it.

Used by the opt-in `chatterbox_real` suite: the files are written where the official `from_local`
looks for them, so the real loading and inference code runs end to end (the audio is noise).

What is small and what is not:
- T3 (the text-to-speech-token transformer) gets 2 layers (English) or 14 (multilingual) instead of 30:
  the Llama/GPT-2 configs are registered in the official LLAMA_CONFIGS table under the names T3 asks
  for. Its width stays 1024 for Llama because the official Perceiver hard-codes 1024.
- S3Gen (tokenizer, speaker encoder, flow-matching decoder, HiFT vocoder), VoiceEncoder and the
  Perth watermarker are built at full size: their dimensions are fixed in the official constructors.
- Random weights would sample up to 1000 speech tokens (40 s) per call. To keep calls short the T3
  weights are nudged so that the stop token wins after a couple of dozen steps: every transformer layer
  adds nothing (zeroed output projections), a positional-embedding channel grows with the step, and only
  the stop token's logit reads that channel.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
import torch

TINY_LLAMA = {"num_hidden_layers": 2, "intermediate_size": 256}
TINY_LLAMA_MULTILINGUAL = {"num_hidden_layers": 14, "intermediate_size": 128}  # its aligner reads layers 9-13
TINY_GPT2 = {"n_layer": 2, "n_embd": 256, "hidden_size": 256, "n_head": 4}
STOP_RAMP_PER_STEP = 0.25
STOP_LOGIT_SCALE = 1.5
S3_VOCABULARY = 6561
TRIGGER_TOKEN = 1234  # speech-token ids S3Gen can decode


@contextlib.contextmanager
def tiny_configs(variant: str) -> Iterator[None]:
    """While active, the official T3 constructor builds the small model for `variant`.

    Needed while building and while loading (from_local constructs T3 before loading the weights).
    """
    from chatterbox.models.t3.llama_configs import LLAMA_CONFIGS

    llama = TINY_LLAMA_MULTILINGUAL if variant == "multilingual" else TINY_LLAMA
    saved = {name: LLAMA_CONFIGS[name] for name in ("Llama_520M", "GPT2_medium")}
    LLAMA_CONFIGS["Llama_520M"] = {**saved["Llama_520M"], **llama}
    LLAMA_CONFIGS["GPT2_medium"] = {**saved["GPT2_medium"], **TINY_GPT2}
    try:
        yield
    finally:
        LLAMA_CONFIGS.update(saved)


def reference_wav(path: Path, seconds: float = 6.0, f0: float = 140.0, rate: int = 24000) -> Path:
    """A vowel-like buzz with a slow pitch wobble, long enough for Turbo (> 5 s)."""
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))) / rate
    samples = sum((0.25 / k) * np.sin(k * phase) for k in range(1, 8)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t))
    soundfile.write(str(path), samples.astype(np.float32), rate)
    return path


def stop_early(t3: torch.nn.Module, token: int | None = None) -> None:
    """Makes a randomly initialised T3 emit `token` (default: its stop token) after a few dozen steps.

    Every transformer layer is made to add nothing (zeroed output projections), so the hidden state of a
    step is just its input embedding. For Llama, T3's own speech-position embedding then carries a
    channel that grows with the step, read only by the stop row of the head. GPT-2 (Turbo) positions
    count from the start of the conditioning, so there a trigger token (sampled now and then) carries the
    channel instead and the stop follows it. The multilingual alignment analyser suppresses the stop
    token until it believes the text was spoken but forces a stop when a token repeats; there the ramp
    drives an ordinary token instead.
    """
    stop = t3.hp.stop_speech_token if token is None else token
    with torch.no_grad():
        for layer in _layers(t3.tfmr):
            for projection in _output_projections(layer):
                projection.weight.zero_()
                if getattr(projection, "bias", None) is not None:
                    projection.bias.zero_()
        positions = _speech_positions(t3)
        t3.speech_emb.weight[:, 0] = 0.0
        positions[:, 0] = 0.0
        if t3.is_gpt:
            t3.speech_emb.weight[TRIGGER_TOKEN, 0] = 8.0
        else:
            positions[:, 0] = STOP_RAMP_PER_STEP * torch.arange(positions.shape[0], dtype=positions.dtype)
        t3.speech_head.weight[:, 0] = 0.0
        t3.speech_head.weight[stop, :] = 0.0
        t3.speech_head.weight[stop, 0] = STOP_LOGIT_SCALE
        _forbid_special_speech_tokens(t3, positions)
        if t3.is_gpt:
            t3.speech_head.weight[TRIGGER_TOKEN, 1] = 1.5  # sampled about one step in ten


def _forbid_special_speech_tokens(t3: torch.nn.Module, positions: torch.Tensor) -> None:
    """A trained T3 never samples ids >= 6561 other than its stop token; random weights would, and S3Gen
    cannot decode them. A constant channel read only by those rows pushes their logits far down."""
    t3.speech_emb.weight[:, 1] = 0.0
    positions[:, 1] = 3.0
    t3.speech_head.weight[:, 1] = 0.0
    special = torch.arange(S3_VOCABULARY, t3.speech_head.weight.shape[0])
    special = special[special != t3.hp.stop_speech_token]
    t3.speech_head.weight[special, 1] = -10.0


def _layers(transformer: torch.nn.Module) -> list[torch.nn.Module]:
    return list(getattr(transformer, "layers", None) or transformer.h)


def _output_projections(layer: torch.nn.Module) -> list[torch.nn.Module]:
    if hasattr(layer, "self_attn"):  # Llama
        return [layer.self_attn.o_proj, layer.mlp.down_proj]
    return [layer.attn.c_proj, layer.mlp.c_proj]  # GPT-2


def _speech_positions(t3: torch.nn.Module) -> torch.Tensor:
    if t3.speech_pos_emb is not None:
        return t3.speech_pos_emb.emb.weight
    return t3.tfmr.wpe.weight  # Turbo (GPT-2) uses the backbone's own positions


def char_tokenizer(path: Path, extra_specials: tuple[str, ...] = ()) -> Path:
    """A character-level tokenizer.json with the special tokens the official tokenizers check for."""
    from tokenizers import Tokenizer, models

    specials = ["[STOP]", "[UNK]", "[SPACE]", "[PAD]", "[SEP]", "[CLS]", "[MASK]", *extra_specials]
    tokens = specials + [chr(c) for c in range(33, 127)]
    tokens += [f"[unused{i}]" for i in range(len(tokens), 255)] + ["[START]"]  # T3's start-of-text id is 255
    tokenizer = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=[], unk_token="[UNK]"))
    tokenizer.add_special_tokens([*specials, "[START]"])
    tokenizer.save(str(path))
    return path


def gpt2_tokenizer(folder: Path) -> None:
    """vocab.json, merges.txt and tokenizer_config.json of a small byte-level BPE, as AutoTokenizer loads."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        ["Hello there, this is a small corpus for a tiny tokenizer."] * 4,
        vocab_size=300,
        special_tokens=["<|endoftext|>"],
    )
    bpe.save_model(str(folder))
    tokenizer = GPT2TokenizerFast(vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"))
    tokenizer.save_pretrained(str(folder))


def save_safetensors(module: torch.nn.Module, path: Path) -> None:
    from safetensors.torch import save_file

    save_file({key: value.contiguous() for key, value in module.state_dict().items()}, str(path))


def build_english(folder: Path, reference: Path) -> Path:
    """chatterbox/: ve, t3_cfg, s3gen (safetensors), tokenizer.json and a built-in conds.pt."""
    from chatterbox.models.s3gen import S3Gen
    from chatterbox.models.t3 import T3
    from chatterbox.models.voice_encoder import VoiceEncoder
    from chatterbox.tts import ChatterboxTTS

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    t3 = T3()
    stop_early(t3)
    save_safetensors(t3, folder / "t3_cfg.safetensors")
    save_safetensors(S3Gen(), folder / "s3gen.safetensors")
    save_safetensors(VoiceEncoder(), folder / "ve.safetensors")
    char_tokenizer(folder / "tokenizer.json")
    _save_builtin_voice(ChatterboxTTS.from_local(folder, "cpu"), reference, folder)
    return folder


def build_multilingual(folder: Path, reference: Path, languages: tuple[str, ...]) -> Path:
    """chatterbox-multilingual/: ve.pt, t3_mtl23ls_v2.safetensors, s3gen.pt, the grapheme tokenizer, conds.pt."""
    from chatterbox.models.s3gen import S3Gen
    from chatterbox.models.t3 import T3
    from chatterbox.models.t3.modules.t3_config import T3Config
    from chatterbox.models.voice_encoder import VoiceEncoder
    from chatterbox.mtl_tts import ChatterboxMultilingualTTS

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    t3 = T3(T3Config.multilingual())
    stop_early(t3, token=100)
    save_safetensors(t3, folder / "t3_mtl23ls_v2.safetensors")
    torch.save(S3Gen().state_dict(), folder / "s3gen.pt")
    torch.save(VoiceEncoder().state_dict(), folder / "ve.pt")
    char_tokenizer(folder / "grapheme_mtl_merged_expanded_v1.json", tuple(f"[{code}]" for code in languages))
    _save_builtin_voice(ChatterboxMultilingualTTS.from_local(folder, "cpu"), reference, folder)
    return folder


def build_turbo(folder: Path, reference: Path) -> Path:
    """chatterbox-turbo/: ve, t3_turbo_v1, s3gen_meanflow (safetensors), a GPT-2 tokenizer, conds.pt."""
    from chatterbox.models.s3gen import S3Gen
    from chatterbox.models.t3 import T3
    from chatterbox.models.voice_encoder import VoiceEncoder
    from chatterbox.tts_turbo import ChatterboxTurboTTS

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    t3 = T3(turbo_hyperparameters())
    stop_early(t3)
    save_safetensors(t3, folder / "t3_turbo_v1.safetensors")
    save_safetensors(S3Gen(meanflow=True), folder / "s3gen_meanflow.safetensors")
    save_safetensors(VoiceEncoder(), folder / "ve.safetensors")
    gpt2_tokenizer(folder)
    _save_builtin_voice(ChatterboxTurboTTS.from_local(folder, "cpu"), reference, folder)
    return folder


def turbo_hyperparameters():
    """The same T3Config the official ChatterboxTurboTTS.from_local builds."""
    from chatterbox.models.t3.modules.t3_config import T3Config

    hp = T3Config(text_tokens_dict_size=50276)
    hp.llama_config_name = "GPT2_medium"
    hp.speech_tokens_dict_size = 6563
    hp.input_pos_emb = None
    hp.speech_cond_prompt_len = 375
    hp.use_perceiver_resampler = False
    hp.emotion_adv = False
    return hp


def _save_builtin_voice(model: object, reference: Path, folder: Path) -> None:
    model.prepare_conditionals(str(reference))
    model.conds.save(folder / "conds.pt")


def describe(folder: Path) -> str:
    """File sizes, for the test log."""
    return json.dumps({p.name: p.stat().st_size for p in sorted(folder.iterdir())})
