"""Confinement of file paths sent by clients to the directories the supervisor allowed (--allowed-root)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .errors import InvalidInput, NotFound, Reason


def confine(path: str, allowed_roots: Sequence[str], field: str = "path") -> Path:
    """The real path of `path` if it resolves (symlinks included) inside an allowed root.

    Raises InvalidInput for NUL bytes, relative paths and non-files, InvalidInput with reason
    PATH_NOT_ALLOWED for paths escaping every root (or when no root was allowed), and NotFound for a
    missing file inside a root. Outside the roots the two cases look the same, so a caller cannot probe
    which files exist elsewhere. Messages and metadata name `field`, the request field the path came from.
    """
    if not allowed_roots:
        raise InvalidInput(
            f"{field}: file paths are disabled, the sidecar was started without --allowed-root",
            reason=Reason.PATH_NOT_ALLOWED,
            field=field,
        )
    if not path or "\0" in path:
        raise InvalidInput(f"{field} is empty or contains a NUL byte", field=field)
    if not os.path.isabs(path):
        raise InvalidInput(f"{field} must be an absolute path: {path!r}", field=field)
    real = Path(os.path.realpath(path))
    if not any(_is_within(real, Path(os.path.realpath(root))) for root in allowed_roots):
        raise InvalidInput(
            f"{field} is outside the allowed directories: {path!r}", reason=Reason.PATH_NOT_ALLOWED, field=field
        )
    if not real.exists():
        raise NotFound(f"{field}: no such file: {path!r}", field=field)
    if not real.is_file():
        raise InvalidInput(f"{field} is not a regular file: {path!r}", field=field)
    return real


def _is_within(candidate: Path, root: Path) -> bool:
    return candidate == root or root in candidate.parents
