"""load_engines: the default engine, then the others asked for, within the memory budget. The three engine
loaders and the process's memory are faked, so each engine's size is exact; one test measures for real."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from chatterbox_sidecar.engines import loader, memory
from chatterbox_sidecar.engines.loader import LoadSpec, load_engines
from chatterbox_sidecar.errors import InvalidInput, NotLoaded

from fakes import FakeEngine


class FakeMachine:
    """Stands in for the engine loaders and the memory measure: loading an engine adds `sizes[name]` MiB to
    the memory in use, or raises `failing[name]`. `calls` lists every load attempt; `made` the engines."""

    def __init__(self, monkeypatch, sizes: dict[str, int] | None = None, failing: dict[str, Exception] | None = None):
        self.sizes = sizes or {}
        self.failing = failing or {}
        self.used = 0
        self.calls: list[str] = []
        self.made: dict[str, FakeEngine] = {}
        monkeypatch.setattr(memory, "used_bytes", lambda: self.used)
        monkeypatch.setattr(loader, "load_chatterbox", lambda spec: self._load("chatterbox"))
        monkeypatch.setattr(loader, "load_piper", lambda spec: self._load("piper"))
        monkeypatch.setattr(loader, "load_espeak", lambda also="": self._load("espeak"))

    def _load(self, name: str) -> FakeEngine:
        self.calls.append(name)
        if name in self.failing:
            raise self.failing[name]
        self.used += self.sizes.get(name, 0) * memory.MIB
        self.made[name] = FakeEngine(name=name)
        return self.made[name]


def test_the_default_then_the_others_in_order_skipping_repeats_and_the_default_itself(monkeypatch):
    machine = FakeMachine(monkeypatch, sizes={"piper": 900, "espeak": 30, "chatterbox": 4000})
    engines = load_engines(LoadSpec(engine="piper", engines=("espeak", "piper", "chatterbox", "espeak")))
    assert engines.names == ["piper", "espeak", "chatterbox"] and machine.calls == engines.names
    assert [info.memory_mb for info in engines.infos()] == [900, 30, 4000]  # no budget: no limit
    assert engines.unavailable == []


def test_an_engine_that_fails_to_load_beside_the_default_is_listed_with_its_reason(monkeypatch, caplog):
    FakeMachine(monkeypatch, failing={"chatterbox": NotLoaded("Chatterbox weights not found in models/")})
    with caplog.at_level(logging.INFO, logger=loader.log.name):
        engines = load_engines(LoadSpec(engine="espeak", engines=("chatterbox", "piper", "chatterbox")))
    assert engines.names == ["espeak", "piper"]
    assert engines.unavailable == [("chatterbox", "Chatterbox weights not found in models/")]
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("WARNING", "engine chatterbox is not loaded: Chatterbox weights not found in models/") in messages
    assert ("INFO", "engine loaded beside the default") in messages


def test_auto_reuses_the_reasons_of_its_fallbacks_instead_of_loading_again(monkeypatch):
    failing = {"chatterbox": NotLoaded("no chatterbox weights")}
    machine = FakeMachine(monkeypatch, failing=failing)
    engines = load_engines(LoadSpec(engine="auto", engines=("chatterbox", "espeak")))
    assert engines.names == ["piper", "espeak"] and "fell back to Piper" in engines.default.info.warnings[0]
    assert machine.calls == ["chatterbox", "piper", "espeak"]
    assert engines.unavailable == [("chatterbox", "no chatterbox weights")]

    machine = FakeMachine(monkeypatch, failing={**failing, "piper": NotLoaded("no piper voice")})
    engines = load_engines(LoadSpec(engine="auto", engines=("piper", "chatterbox")))
    assert engines.names == ["espeak"] and machine.calls == ["chatterbox", "piper", "espeak"]
    assert engines.unavailable == [("piper", "no piper voice"), ("chatterbox", "no chatterbox weights")]


def test_an_engine_past_the_memory_budget_is_closed_again_and_reported(monkeypatch):
    machine = FakeMachine(monkeypatch, sizes={"piper": 3000, "espeak": 100, "chatterbox": 410})
    spec = LoadSpec(engine="piper", engines=("espeak", "chatterbox"), memory_budget_mb=3200)
    engines = load_engines(spec)
    assert engines.names == ["piper", "espeak"] and engines.memory_mb == 3100
    assert machine.made["chatterbox"].closed and not machine.made["espeak"].closed
    assert engines.unavailable == [
        (
            "chatterbox",
            "took 410 MiB; with the engines already loaded (3100 MiB) that is over the memory budget of 3200 MiB "
            "(inference.memory_budget_mb)",
        )
    ]


def test_the_default_is_loaded_whatever_its_size(monkeypatch):
    FakeMachine(monkeypatch, sizes={"chatterbox": 5000, "espeak": 1})
    engines = load_engines(LoadSpec(engine="chatterbox", engines=("espeak",), memory_budget_mb=1000))
    assert engines.names == ["chatterbox"] and engines.default.info.memory_mb == 5000
    assert engines.unavailable[0][0] == "espeak" and "(5000 MiB)" in engines.unavailable[0][1]


def test_a_default_that_fails_fails_the_load_before_any_other_is_tried(monkeypatch):
    machine = FakeMachine(monkeypatch, failing={"chatterbox": NotLoaded("no chatterbox weights")})
    with pytest.raises(NotLoaded, match="no chatterbox weights"):
        load_engines(LoadSpec(engine="chatterbox", engines=("espeak",)))
    assert machine.calls == ["chatterbox"]


def test_an_error_that_is_not_a_failed_load_closes_what_was_loaded_and_propagates(monkeypatch):
    bad_variant = InvalidInput("unknown chatterbox variant 'opera'", field="variant")
    machine = FakeMachine(monkeypatch, failing={"chatterbox": bad_variant})
    with pytest.raises(InvalidInput, match="opera"):
        load_engines(LoadSpec(engine="espeak", engines=("piper", "chatterbox")))
    assert machine.made["espeak"].closed and machine.made["piper"].closed


@pytest.mark.parametrize("name", ["auto", "festival"])
def test_only_the_three_engines_may_be_held_beside_the_default(name):
    with pytest.raises(InvalidInput, match=f"engines may name only chatterbox, piper, espeak, not '{name}'") as caught:
        LoadSpec(engine="auto", engines=("espeak", name))
    assert caught.value.metadata == {"field": "engines"}


def test_memory_is_what_the_process_gains_while_the_engine_loads():
    class Allocating(FakeEngine):
        def __init__(self) -> None:
            super().__init__()
            self.weights = np.ones(64 * memory.MIB // 8)  # written, so resident: 64 MiB

    assert memory.resident_bytes() > 0
    assert 60 <= memory.measured(Allocating).info.memory_mb <= 80
