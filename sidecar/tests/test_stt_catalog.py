"""Which Whisper model a request gets: installed folders, aliases, nearest fallback, multilingual needs."""

from __future__ import annotations

import pytest

from chatterbox_sidecar.errors import InvalidInput, NotFound
from chatterbox_sidecar.stt import catalog
from chatterbox_sidecar.stt.catalog import Need

from fakes import make_whisper_folder

TRANSLATE = Need("translate", "task")
FRENCH = Need("transcribe language 'fr'", "language")


def installed(tmp_path, *names: str) -> dict[str, catalog.ModelEntry]:
    for name in names:
        make_whisper_folder(tmp_path, name)
    return catalog.scan(str(tmp_path))


def resolve(tmp_path, asked: str, names: tuple[str, ...], need: Need | None = None, download: bool = False):
    return catalog.resolve(asked, need, installed(tmp_path, *names), download, str(tmp_path))


def test_scan_lists_complete_folders_with_their_size_and_kind(tmp_path):
    make_whisper_folder(tmp_path, "tiny.en", size_bytes=5000)
    make_whisper_folder(tmp_path, "my-finetune", vocabulary=51864)
    make_whisper_folder(tmp_path, "my-multilingual", vocabulary=51866)
    (make_whisper_folder(tmp_path, "broken") / "tokenizer.json").unlink()
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    models = catalog.scan(str(tmp_path))
    assert sorted(models) == ["my-finetune", "my-multilingual", "tiny.en"]
    assert models["tiny.en"].size_bytes > 5000 and models["tiny.en"].path == str(tmp_path / "tiny.en")
    assert not models["tiny.en"].multilingual
    assert not models["my-finetune"].multilingual, "51864 tokens is Whisper's English-only vocabulary"
    assert models["my-multilingual"].multilingual


def test_no_folder_or_a_missing_one_has_no_models(tmp_path):
    assert catalog.scan(None) == {} and catalog.scan(str(tmp_path / "missing")) == {}


def test_an_installed_model_is_used_as_asked_and_large_means_large_v3(tmp_path):
    assert resolve(tmp_path, "tiny.en", ("tiny.en", "base")) == catalog.Choice(catalog.scan(str(tmp_path))["tiny.en"])
    choice = resolve(tmp_path / "other", " Large ", ("large-v3", "base"))
    assert choice.model.name == "large-v3" and choice.warnings == ()


def test_the_default_is_the_largest_installed_model(tmp_path):
    assert resolve(tmp_path, "", ("tiny.en", "base", "base.en")).model.name == "base"


@pytest.mark.parametrize(
    ("asked", "names", "used"),
    [
        ("medium", ("tiny.en", "base"), "base"),
        ("small", ("tiny", "medium"), "medium"),  # sizes compare on a log scale
        ("base", ("tiny.en", "small"), "tiny.en"),
        ("tiny.en", ("tiny", "base.en"), "tiny"),
        ("large-v2", ("base", "turbo", "medium"), "turbo"),
    ],
)
def test_a_missing_model_falls_back_to_the_nearest_installed_one_with_a_warning(tmp_path, asked, names, used):
    choice = resolve(tmp_path, asked, names)
    assert choice.model.name == used
    assert choice.warnings == (
        f"model {asked} is not installed in the Whisper models folder (--whisper-dir); used {used}, the nearest "
        "installed model, instead",
    )


def test_a_same_size_model_of_the_same_kind_wins_a_tie(tmp_path):
    assert resolve(tmp_path, "base.en", ("tiny", "tiny.en", "small")).model.name == "tiny.en"
    assert resolve(tmp_path / "b", "base", ("tiny.en", "tiny", "small")).model.name == "tiny"


def test_a_request_needing_a_multilingual_model_only_falls_back_to_one(tmp_path):
    assert resolve(tmp_path, "medium", ("tiny.en", "base", "small.en"), FRENCH).model.name == "base"
    assert resolve(tmp_path / "b", "", ("tiny", "small.en"), TRANSLATE).model.name == "tiny"


def test_an_english_only_model_asked_to_translate_is_replaced_by_a_multilingual_one(tmp_path):
    choice = resolve(tmp_path, "tiny.en", ("tiny.en", "base"), TRANSLATE)
    assert choice.model.name == "base"
    assert choice.warnings == (
        "model tiny.en is English-only and cannot translate; used base, the nearest installed model, instead",
    )


@pytest.mark.parametrize(("asked", "need"), [("tiny.en", TRANSLATE), ("", FRENCH), ("medium", TRANSLATE)])
def test_with_no_multilingual_model_installed_such_requests_are_invalid(tmp_path, asked, need):
    with pytest.raises(InvalidInput, match="no multilingual model is installed") as caught:
        resolve(tmp_path, asked, ("tiny.en", "base.en"), need)
    assert caught.value.metadata == {"field": need.field}


def test_an_unknown_name_is_invalid_and_a_custom_installed_folder_is_not(tmp_path):
    with pytest.raises(InvalidInput, match="neither a Whisper model nor installed") as caught:
        resolve(tmp_path, "whisper-9", ("tiny.en",))
    assert caught.value.metadata == {"field": "model"}
    assert resolve(tmp_path / "b", "my-finetune", ("my-finetune",)).model.name == "my-finetune"


def test_no_model_installed_is_not_found_naming_the_folder(tmp_path):
    with pytest.raises(
        NotFound, match=r"no speech-recognition model is installed in the Whisper models folder \(--whisper-dir\)$"
    ):
        resolve(tmp_path, "", ())
    with pytest.raises(NotFound, match=r"model small is not installed in .*, and no speech-recognition model"):
        resolve(tmp_path, "small", ())
    with pytest.raises(NotFound, match="started without --whisper-dir"):
        catalog.resolve("", None, {}, False, None)


def test_with_downloads_allowed_a_known_name_is_fetched_with_the_nearest_installed_model_as_fallback(tmp_path):
    choice = resolve(tmp_path, "small", ("tiny.en", "base"), download=True)
    assert choice.model == catalog.ModelEntry("small", None, 484 * catalog.MB, True)
    assert choice.fallback.name == "base" and choice.warnings == ()
    assert resolve(tmp_path / "empty", "small", (), download=True).fallback is None
