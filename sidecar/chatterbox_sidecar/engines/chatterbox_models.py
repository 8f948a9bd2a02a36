"""Which official Chatterbox class each variant uses, the files it loads, and how the sidecar loads it.

Weights come from `<models_dir>/<folder>` with the official `from_local` when every required file is
there; otherwise from the Hugging Face hub with `from_pretrained`, but only when the caller allowed
downloads and the hub can be reached (or already holds the files in its cache). Nothing is ever
downloaded implicitly.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NotLoaded
from ..jsonlog import adopt_library_loggers
from . import hub_probe

log = logging.getLogger("chatterbox_sidecar.chatterbox")


@dataclass(frozen=True)
class ModelFiles:
    folder: str  # under models_dir
    module: str  # official module holding the class
    class_name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    repo: str = "ResembleAI/chatterbox"  # the Hugging Face repository from_pretrained downloads from


VARIANTS: dict[str, ModelFiles] = {
    "english": ModelFiles(
        "chatterbox",
        "chatterbox.tts",
        "ChatterboxTTS",
        ("ve.safetensors", "t3_cfg.safetensors", "s3gen.safetensors", "tokenizer.json"),
        ("conds.pt",),
    ),
    "multilingual": ModelFiles(
        "chatterbox-multilingual",
        "chatterbox.mtl_tts",
        "ChatterboxMultilingualTTS",
        ("ve.pt", "t3_mtl23ls_v2.safetensors", "s3gen.pt", "grapheme_mtl_merged_expanded_v1.json"),
        ("conds.pt",),
    ),
    "turbo": ModelFiles(
        "chatterbox-turbo",
        "chatterbox.tts_turbo",
        "ChatterboxTurboTTS",
        (
            "ve.safetensors",
            "t3_turbo_v1.safetensors",
            "s3gen_meanflow.safetensors",
            "tokenizer_config.json",
            "vocab.json",
            "merges.txt",
        ),
        ("conds.pt", "added_tokens.json", "special_tokens_map.json"),
        repo="ResembleAI/chatterbox-turbo",
    ),
}
# Voice conversion uses the decoder of the English checkpoint.
VOICE_CONVERSION = ModelFiles("chatterbox", "chatterbox.vc", "ChatterboxVC", ("s3gen.safetensors",), ("conds.pt",))


def import_class(files: ModelFiles) -> Any:
    """The official class; NotLoaded with install advice when chatterbox-tts is missing."""
    try:
        module = importlib.import_module(files.module)
    except ImportError as error:
        raise NotLoaded(
            f"the chatterbox-tts package cannot be imported ({error}); install it into the sidecar venv "
            "with `npm run setup:chatterbox` (sidecar/requirements-chatterbox.txt)"
        ) from error
    adopt_library_loggers()
    return getattr(module, files.class_name)


def missing_files(files: ModelFiles, models_dir: str) -> list[str]:
    """Required files absent from `<models_dir>/<folder>`."""
    folder = Path(models_dir) / files.folder
    return [name for name in files.required if not (folder / name).is_file()]


def check_loadable(files: ModelFiles, models_dir: str, allow_download: bool) -> None:
    """Fails fast, before the slow torch import, when the weights are missing and cannot be downloaded."""
    missing = missing_files(files, models_dir) if models_dir else list(files.required)
    if not missing:
        return
    # The reason travels into ModelInfo.warnings and so into the unauthenticated health report: it names the
    # folder relative to the models folder; the absolute path goes to the log only.
    where = f"<models_dir>/{files.folder}"
    log.info("chatterbox weights missing", extra={"dir": str(Path(models_dir) / files.folder), "missing": missing})
    if not allow_download:
        package = "" if _package_installed() else "; the chatterbox-tts package is not installed either"
        raise NotLoaded(
            f"{files.class_name} weights not found: {where} lacks {', '.join(missing)}{package}. Put the files "
            "there (see sidecar/README.md) or allow downloads from the Hugging Face hub"
        )
    unreachable = hub_probe.unreachable_reason()
    if unreachable is not None and not hub_probe.in_hub_cache(files.repo, files.required):
        raise NotLoaded(
            f"{files.class_name} weights are not in {where} and the Hugging Face hub is unreachable "
            f"({unreachable}); put the files there (see sidecar/README.md) or give this machine access to the hub"
        )


def _package_installed() -> bool:
    try:
        return importlib.util.find_spec("chatterbox") is not None
    except ValueError:  # already imported without a spec (a test double): it is there
        return True


def load_official(files: ModelFiles, models_dir: str, device: str, allow_download: bool) -> Any:
    """Instantiates the official class from local weights, or from the hub when allowed."""
    check_loadable(files, models_dir, allow_download)
    model_class = import_class(files)
    folder = Path(models_dir) / files.folder
    if models_dir and not missing_files(files, models_dir):
        log.info(
            "loading chatterbox weights from disk",
            extra={"class": files.class_name, "dir": str(folder), "device": device},
        )
        return model_class.from_local(str(folder), device)
    log.warning("downloading chatterbox weights from the Hugging Face hub", extra={"class": files.class_name})
    return model_class.from_pretrained(device)


def forbid_hub_access_unless(allow_download: bool) -> None:
    """Keeps huggingface_hub offline unless downloads were allowed.

    The multilingual from_local still asks the hub for Cangjie5_TC.json; offline it fails fast with a
    logged warning instead of waiting on network timeouts. Read by huggingface_hub at import time, so
    this must run before the first chatterbox import.
    """
    if not allow_download:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
