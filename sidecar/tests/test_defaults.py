"""The flag defaults come from chatterbox_sidecar/defaults.json, the file the TypeScript config reads too."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import chatterbox_sidecar

PACKAGE_DIR = Path(chatterbox_sidecar.__file__).parent
KEYS = (
    "listen",
    "queue_capacity",
    "max_message_mb",
    "grace_seconds",
    "stt_memory_mb",
    "stt_queue_capacity",
    "max_queue_wait_seconds",
)
# Prints the defaults of the flags and of Settings, as the package in the working directory has them.
PRINT_DEFAULTS = f"""
import json
from chatterbox_sidecar.__main__ import parse_arguments
from chatterbox_sidecar.server import Settings
flags, settings = parse_arguments([]), Settings()
print(json.dumps([{{k: getattr(o, k) for k in {KEYS!r}}} for o in (flags, settings)]))
"""


def test_the_json_ships_inside_the_package_with_every_default():
    values = json.loads((PACKAGE_DIR / "defaults.json").read_text(encoding="utf-8"))
    assert set(values) == set(KEYS)


def test_flags_and_settings_take_their_defaults_from_the_json(tmp_path):
    # A copy of the package with other values: if any default were a literal in code, it would show.
    shutil.copytree(PACKAGE_DIR, tmp_path / "chatterbox_sidecar", ignore=shutil.ignore_patterns("__pycache__"))
    changed = {
        "listen": "127.0.0.1:9123",
        "queue_capacity": 3,
        "max_message_mb": 5,
        "grace_seconds": 2.5,
        "stt_memory_mb": 700,
        "stt_queue_capacity": 2,
        "max_queue_wait_seconds": 7.5,
    }
    (tmp_path / "chatterbox_sidecar" / "defaults.json").write_text(json.dumps(changed), encoding="utf-8")
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_DEFAULTS], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    flags, settings = json.loads(printed)
    assert flags == settings == changed
