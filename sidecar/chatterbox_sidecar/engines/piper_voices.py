"""Where Piper voices are found: `<models_dir>/piper/<name>/<name>.onnx` with its `.onnx.json` (the offline packs
`npm install` puts there, each with a manifest.json holding its licence) or loose files in `<models_dir>/piper/`;
a named voice that is missing is downloaded when allowed, or replaced by the nearest installed one with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInput, NotLoaded
from . import hub_probe

log = logging.getLogger("chatterbox_sidecar.piper")

FOLDER = "piper"  # under models_dir
MANIFEST = "manifest.json"  # written beside a pack's files by src/setup/install.mjs
INSTALL_ADVICE = (
    "`npm install` installs piper-tts (sidecar/requirements-piper.txt) and the offline voice en_US-joe-medium "
    "unless PIPER=0 was set; `node src/setup/install.mjs --piper-only` adds them to an existing setup"
)
VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
UNKNOWN_LICENCE = (
    "unknown: no manifest.json beside the voice and no licence in its .onnx.json; read the voice's MODEL_CARD "
    "(its dataset's licence, and the voice it was fine-tuned from)"
)
DOWNLOADED_LICENCE = (
    "unknown: downloaded by name from rhasspy/piper-voices; read the voice's MODEL_CARD there (its dataset's "
    "licence, and the voice it was fine-tuned from)"
)


@dataclass(frozen=True)
class VoiceFiles:
    """One installed voice: its model, its config, and the pack folder holding both (None: loose files)."""

    name: str
    model: Path
    config: Path
    folder: Path | None


def installed_voices(models_dir: str) -> list[VoiceFiles]:
    """Every complete voice under `<models_dir>/piper/`, sorted by name; a pack folder wins over loose files."""
    root = Path(models_dir) / FOLDER
    if not models_dir or not root.is_dir():
        return []
    found: dict[str, VoiceFiles] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):  # staging folders of downloads and installs
            continue
        if entry.is_dir():
            files = _files(entry, entry.name, entry)
            if files is not None:
                found[entry.name] = files
        elif entry.name.endswith(".onnx"):
            name = entry.name.removesuffix(".onnx")
            files = _files(root, name, None)
            if files is not None and name not in found:
                found[name] = files
    return [found[name] for name in sorted(found)]


def choose(models_dir: str, voice: str, allow_download: bool) -> tuple[VoiceFiles, list[str]]:
    """The files of `voice` ("" = the first installed) and warnings about the choice; NotLoaded when none fits."""
    if voice and not VOICE_NAME.match(voice):
        raise InvalidInput(f"piper_voice {voice!r} is not a voice name such as en_US-joe-medium", field="piper_voice")
    if not models_dir:
        raise NotLoaded("the Piper engine needs a models directory (LoadModelRequest.models_dir); none was given")
    installed = installed_voices(models_dir)
    warnings: list[str] = []
    files = next((v for v in installed if v.name == voice), None) if voice else None
    if voice and files is None:
        reason = _missing(models_dir, voice)
        if allow_download:
            files, refusal = _download(models_dir, voice)
            reason = f"{reason}, and {refusal}" if files is None else reason
        if files is None and installed:
            files = _nearest(installed, voice)
            warnings.append(f"Piper voice {voice} is unavailable ({reason}); loaded {files.name} instead")
            log.warning(warnings[-1])
        elif files is None:
            raise NotLoaded(f"{reason}; {INSTALL_ADVICE}")
    elif files is None:
        if not installed:
            raise NotLoaded(
                f"no Piper voice is installed: <models_dir>/{FOLDER}/ holds no <name>/<name>.onnx with its "
                f"<name>.onnx.json; {INSTALL_ADVICE}"
            )
        files = installed[0]
    return files, warnings


def _files(folder: Path, name: str, pack: Path | None) -> VoiceFiles | None:
    model, config = folder / f"{name}.onnx", folder / f"{name}.onnx.json"
    return VoiceFiles(name, model, config, pack) if model.is_file() and config.is_file() else None


def _missing(models_dir: str, name: str) -> str:
    """Which file of `name` is missing, named relative to the models folder (the text reaches health reports)."""
    folder = Path(models_dir) / FOLDER / name
    where = f"<models_dir>/{FOLDER}/{name}/"
    if (folder / f"{name}.onnx").is_file():
        return f"Piper voice {name} is incomplete: {where} lacks {name}.onnx.json"
    if (folder / f"{name}.onnx.json").is_file():
        return f"Piper voice {name} is incomplete: {where} lacks {name}.onnx"
    return (
        f"Piper voice {name} not found: neither {where}{name}.onnx nor <models_dir>/{FOLDER}/{name}.onnx "
        "exists (each with its .onnx.json)"
    )


def _nearest(installed: list[VoiceFiles], wanted: str) -> VoiceFiles:
    """An installed voice of the wanted one's language (en_US-... for en_US-...) if any, else the first."""
    language = wanted.split("-", 1)[0]
    return next((v for v in installed if v.name.split("-", 1)[0] == language), installed[0])


def _download(models_dir: str, name: str) -> tuple[VoiceFiles | None, str]:
    """Fetches a voice by name with piper-tts's own downloader into <models_dir>/piper/<name>/.

    (files, "") on success, else (None, why not). piper-tts fetches from huggingface.co itself, so
    HF_ENDPOINT does not redirect it; the probe only answers whether the hub can be reached at all.
    """
    unreachable = hub_probe.unreachable_reason()
    if unreachable is not None:
        return None, f"it cannot be downloaded: the Hugging Face hub is unreachable ({unreachable})"
    from piper.download_voices import download_voice

    root = Path(models_dir) / FOLDER
    staging = root / f".download-{name}-{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        log.warning("downloading a piper voice from the Hugging Face hub", extra={"voice": name})
        download_voice(name, staging)
        manifest = {
            "family": FOLDER,
            "name": name,
            "licence": DOWNLOADED_LICENCE,
            "source": [{"hub": "https://huggingface.co/rhasspy/piper-voices"}],
            "installed_by": "the sidecar (LoadModel with allow_download)",
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        staging.rename(root / name)
    except ValueError as error:  # piper's own check of the name's pattern
        return None, f"it cannot be downloaded: {error}"
    except OSError as error:
        log.error("piper voice download failed", exc_info=error, extra={"voice": name})
        return None, f"downloading it from the Hugging Face hub failed ({type(error).__name__})"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _files(root / name, name, root / name), ""


def licence(files: VoiceFiles, config: dict[str, Any]) -> str:
    """The pack manifest's licence, else a licence in the voice's own config, else UNKNOWN_LICENCE."""
    if files.folder is not None and (files.folder / MANIFEST).is_file():
        try:
            licence = json.loads((files.folder / MANIFEST).read_text(encoding="utf-8")).get("licence")
        except (OSError, ValueError, AttributeError) as error:
            log.warning("unreadable piper voice manifest", exc_info=error, extra={"voice": files.name})
            licence = None
        if isinstance(licence, str) and licence:
            return licence
    for key in ("licence", "license"):
        if isinstance(config.get(key), str) and config[key]:
            return config[key]
    return UNKNOWN_LICENCE
