"""JSON-lines logging on stderr, the format the Node supervisor parses and re-emits at the same level.

One object per line: {"time", "level", "msg", "logger", ...extra fields}; an exception adds
"err": {"type", "message", "stack"}. Extra fields come from `logger.info("...", extra={...})`.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from typing import Any, TextIO

LEVEL_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warn",
    logging.ERROR: "error",
    logging.CRITICAL: "fatal",
}
FLAG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}

# Attributes every LogRecord has; anything else on a record was passed through `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON object without newlines inside it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": LEVEL_NAMES.get(record.levelno, "info"),
            "msg": record.getMessage(),
            "logger": record.name,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            entry["err"] = _describe_exception(record.exc_info[1])
        return json.dumps(entry, default=str, ensure_ascii=False)


def _describe_exception(error: BaseException) -> dict[str, str]:
    return {
        "type": type(error).__name__,
        "message": str(error),
        "stack": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    }


def configure_logging(level_flag: str, stream: TextIO | None = None) -> None:
    """Sends every logger (ours, grpc's, the model libraries') to stderr as JSON lines at `level_flag`."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(FLAG_LEVELS[level_flag])
    # Python warnings (DeprecationWarning from model libraries, ...) become "warn" lines, not raw text.
    logging.captureWarnings(True)


# Model libraries that attach their own plain-text stderr handler to their root logger when imported.
_LIBRARY_LOGGERS = ("huggingface_hub", "transformers", "diffusers")


def adopt_library_loggers() -> None:
    """Routes the model libraries' loggers through the JSON handler only.

    Each of them otherwise writes every message twice: once as raw text from its own handler and once as
    JSON through the root logger. Call it after importing them.
    """
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        for handler in list(library.handlers):
            library.removeHandler(handler)
        library.propagate = True
