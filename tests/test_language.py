"""One language setting for everything a learner sees (bpderive.language)."""

from __future__ import annotations

import pytest

import bpderive
from bpderive.language import ENVIRONMENT, get_language, pick, resolve, set_language, using

PAIR = ("the error", "误差")


def test_english_unless_told_otherwise() -> None:
    assert get_language() == "en"
    assert pick(PAIR) == "the error"


def test_set_language_is_followed_until_changed() -> None:
    bpderive.set_language("zh")
    assert bpderive.get_language() == "zh"
    assert pick(PAIR) == "误差"
    set_language("EN")
    assert pick(PAIR) == "the error"


def test_the_environment_gives_the_default_and_set_language_overrides_it(monkeypatch) -> None:
    monkeypatch.setenv(ENVIRONMENT, "zh")
    assert get_language() == "zh"
    set_language("en")
    assert get_language() == "en"


def test_a_call_overrides_the_setting() -> None:
    set_language("zh")
    assert pick(PAIR, "en") == "the error"
    assert resolve(None) == "zh"
    assert resolve("en") == "en"


@pytest.mark.parametrize("bad", ["fr", "", None, 1, "zh-TW"])
def test_a_bad_language_is_refused_by_name(bad) -> None:
    with pytest.raises(ValueError, match=r"lang: expected 'en' or 'zh', got"):
        set_language(bad)
    if bad is not None:
        with pytest.raises(ValueError, match=r"lang: expected 'en' or 'zh'"):
            resolve(bad)


def test_a_bad_environment_value_is_refused_by_name(monkeypatch) -> None:
    monkeypatch.setenv(ENVIRONMENT, "french")
    with pytest.raises(ValueError, match=rf"{ENVIRONMENT}: expected 'en' or 'zh', got 'french'"):
        get_language()


def test_using_speaks_a_language_for_one_block_then_gives_back_what_was_chosen(monkeypatch):
    """The command line's ``--lang``: one run in Chinese, and the environment's default again
    after it (not a choice pinned by the block)."""
    with using("zh"):
        assert pick(PAIR) == "误差"
    assert pick(PAIR) == "the error"
    monkeypatch.setenv(ENVIRONMENT, "zh")
    assert get_language() == "zh"  # still the environment's: nothing was pinned
    set_language("en")
    with pytest.raises(RuntimeError), using(None):
        assert get_language() == "en"
        raise RuntimeError
    assert get_language() == "en"
    with pytest.raises(ValueError, match=r"lang: expected 'en' or 'zh', got 'fr'"), using("fr"):
        pass
