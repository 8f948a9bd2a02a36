"""Confinement of file paths sent by clients to the directories the supervisor allowed (--allowed-root)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from .errors import InvalidInput, NotFound


def confine(path: str, allowed_roots: Sequence[str]) -> Path:
    """The real path of `path` if it resolves (symlinks included) inside an allowed root.

    Raises InvalidInput for NUL bytes, relative paths, paths escaping every root, and non-files;
    NotFound for a missing file inside a root. Outside the roots the two cases look the same, so a
    caller cannot probe which files exist elsewhere.
    """
    if not allowed_roots:
        raise InvalidInput("file paths are disabled: the sidecar was started without --allowed-root")
    if not path or "\0" in path:
        raise InvalidInput("path is empty or contains a NUL byte")
    if not os.path.isabs(path):
        raise InvalidInput(f"path must be absolute: {path!r}")
    real = Path(os.path.realpath(path))
    if not any(_is_within(real, Path(os.path.realpath(root))) for root in allowed_roots):
        raise InvalidInput(f"path is outside the allowed directories: {path!r}")
    if not real.exists():
        raise NotFound(f"no such file: {path!r}")
    if not real.is_file():
        raise InvalidInput(f"not a regular file: {path!r}")
    return real


def _is_within(candidate: Path, root: Path) -> bool:
    return candidate == root or root in candidate.parents
