"""The Piper voice pack `npm install` puts into models/piper/, and the skip marker of tests that need it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

VOICE = "en_US-joe-medium"
PACK = Path(__file__).resolve().parents[2] / "models" / "piper" / VOICE
MODELS_DIR = str(PACK.parents[1])


def missing_piper() -> str | None:
    """Why the real Piper engine cannot run here, or None when it can."""
    if importlib.util.find_spec("piper") is None:
        return "piper-tts is not installed in this Python (npm install installs it unless PIPER=0 was set)"
    if not (PACK / f"{VOICE}.onnx").is_file() or not (PACK / f"{VOICE}.onnx.json").is_file():
        return f"the voice pack models/piper/{VOICE}/ is missing (node src/setup/install.mjs --piper-packs-only)"
    return None


needs_piper = pytest.mark.skipif(missing_piper() is not None, reason=missing_piper() or "")
