"""EngineSet on its own: which engine a request gets, and closing them all."""

from __future__ import annotations

import pytest

from chatterbox_sidecar.errors import InvalidInput, Reason

from fakes import FakeEngine, engine_set


def test_none_is_the_default_and_a_loaded_name_is_that_engine():
    espeak, piper = FakeEngine(name="espeak"), FakeEngine(name="piper")
    engines = engine_set(espeak, piper)
    assert engines.select(None) is espeak is engines.default
    assert engines.select("piper") is piper and engines.select("espeak") is espeak
    assert engines.names == ["espeak", "piper"] and engines.infos() == [espeak.info, piper.info]


def test_auto_is_the_first_loaded_of_chatterbox_piper_espeak_whatever_the_default():
    espeak, piper, chatterbox = FakeEngine(name="espeak"), FakeEngine(name="piper"), FakeEngine(name="chatterbox")
    assert engine_set(espeak, piper).select("auto") is piper
    assert engine_set(espeak, piper, chatterbox).select("auto") is chatterbox
    assert engine_set(espeak).select("auto") is espeak


def test_an_engine_that_is_not_loaded_is_invalid_input_naming_the_loaded_ones():
    engines = engine_set(FakeEngine(name="piper"), FakeEngine(name="chatterbox"))
    with pytest.raises(InvalidInput) as caught:
        engines.select("espeak")
    assert str(caught.value) == "engine espeak is not loaded; loaded: piper, chatterbox"
    assert caught.value.reason == Reason.ENGINE_NOT_LOADED == "ENGINE_NOT_LOADED"
    assert caught.value.metadata == {"field": "input.engine"}


def test_memory_is_the_sum_of_the_loaded_engines_and_close_closes_them_all():
    first, second = FakeEngine(name="espeak"), FakeEngine(name="piper")
    first.info.memory_mb, second.info.memory_mb = 40, 300
    engines = engine_set(first, second, unavailable=[("chatterbox", "weights not found")])
    assert engines.memory_mb == 340 and engines.unavailable == [("chatterbox", "weights not found")]
    engines.close()
    assert first.closed and second.closed
