"""The language of everything bpderive shows a learner: English (``"en"``) or Chinese (``"zh"``).

The article and most of its readers are Chinese, so the Chinese edition of the notebooks must
print Chinese tables, verdicts and figure labels, not only Chinese prose. One setting, made once
at the top of a notebook (``bpderive.set_language("zh")``) or for a whole machine through the
environment variable ``BPDERIVE_LANG``, is followed by every display helper, table header, figure
label, the network diagram and the checker; a function that takes ``lang=`` still overrides it
for that call. Errors for misuse of the API stay English: they are for the programmer.

Texts are kept as ``(English, Chinese)`` pairs beside the code that prints them, so a reviewer
reads the two side by side; :func:`pick` chooses one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from bpderive.fonts import prepare_chinese_figures

#: The languages, in the order of every ``(English, Chinese)`` pair.
LANGUAGES = ("en", "zh")
#: The environment variable that gives the default when :func:`set_language` was not called.
ENVIRONMENT = "BPDERIVE_LANG"

_chosen: str | None = None


def _valid(name: str, lang: object) -> str:
    if not isinstance(lang, str) or lang.lower() not in LANGUAGES:
        raise ValueError(f"{name}: expected 'en' or 'zh', got {lang!r}")
    return lang.lower()


def set_language(lang: str) -> None:
    """Make ``lang`` (``"en"`` or ``"zh"``) the language of all output from now on.

    For ``"zh"`` it also gives matplotlib, where it is installed, the Chinese font
    (:mod:`bpderive.fonts`), so that the figures made afterwards, a notebook's own included,
    draw Chinese characters rather than boxes. Going back to English leaves the font in place:
    English text is drawn exactly as before."""
    global _chosen
    _chosen = _valid("lang", lang)
    if _chosen == "zh":
        prepare_chinese_figures()


def get_language() -> str:
    """The language in use: the last :func:`set_language`, else ``$BPDERIVE_LANG``, else
    English. A bad environment value is refused by name rather than silently read as English."""
    if _chosen is not None:
        return _chosen
    value = os.environ.get(ENVIRONMENT, "").strip()
    return _valid(ENVIRONMENT, value) if value else "en"


def resolve(lang: str | None) -> str:
    """A per-call ``lang=`` argument: ``None`` means the language in use, anything else must be
    ``"en"`` or ``"zh"``."""
    return get_language() if lang is None else _valid("lang", lang)


def pick(pair: tuple[str, str], lang: str | None = None) -> str:
    """The text of an ``(English, Chinese)`` pair in ``lang`` (default: the language in use)."""
    return pair[LANGUAGES.index(resolve(lang))]


@contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Speak ``lang`` (``None``: the language in use) inside the block, then go back to exactly
    what was chosen before, the environment's default included: for a caller that speaks for
    one run only, such as the command line's ``--lang``, called more than once in one process."""
    global _chosen
    before, _chosen = _chosen, resolve(lang)
    try:
        yield
    finally:
        _chosen = before
