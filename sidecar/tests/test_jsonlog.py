"""The JSON-lines log format the Node supervisor parses."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chatterbox_sidecar.jsonlog import adopt_library_loggers, configure_logging


@pytest.fixture(autouse=True)
def restore_root_logger():
    """configure_logging rewires the root logger; put pytest's handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def test_each_record_is_one_json_object_with_level_time_logger_and_extras():
    stream = io.StringIO()
    configure_logging("debug", stream)
    logger = logging.getLogger("chatterbox_sidecar.test")
    logger.warning("queue is full\nsecond line", extra={"request_id": "r-1", "depth": 16})
    logger.debug("details")
    try:
        raise ValueError("bad value")
    except ValueError:
        logger.exception("it failed")
    logger.critical("cannot start")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4
    first, debug, failure, fatal = (json.loads(line) for line in lines)
    assert first["level"] == "warn" and first["msg"] == "queue is full\nsecond line"
    assert first["logger"] == "chatterbox_sidecar.test"
    assert first["request_id"] == "r-1" and first["depth"] == 16
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert debug["level"] == "debug"
    assert failure["level"] == "error"
    assert failure["err"]["type"] == "ValueError" and failure["err"]["message"] == "bad value"
    assert "Traceback" in failure["err"]["stack"]
    assert fatal["level"] == "fatal"


def test_the_level_flag_filters():
    stream = io.StringIO()
    configure_logging("warn", stream)
    logging.getLogger("x").info("hidden")
    logging.getLogger("x").error("shown")
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["level"], e["msg"]) for e in entries] == [("error", "shown")]


def test_model_library_loggers_write_json_once_instead_of_text_and_json():
    stream, raw = io.StringIO(), io.StringIO()
    configure_logging("info", stream)
    library = logging.getLogger("huggingface_hub")
    library.addHandler(logging.StreamHandler(raw))  # what the library does on import
    adopt_library_loggers()
    logging.getLogger("huggingface_hub.file_download").warning("Retrying in 1s")
    assert raw.getvalue() == ""
    assert [json.loads(line)["msg"] for line in stream.getvalue().splitlines()] == ["Retrying in 1s"]
