"""A verdict on a learner's answer, as the learner reads it: the message, then one hint at a time.

:class:`Verdict` is what :func:`~bpderive.exercises.check` returns. In a notebook it shows its
message, the first hint, and how to ask for the next (``verdict.hint(2)``), so that a learner
is led to the answer rather than handed it; :meth:`Verdict.figure` draws the paths of the
chain on the article's figure, the learner's missing or wrong path dashed in red.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp

from bpderive.exercises.messages import MISTAKE_NAMES, VERDICT
from bpderive.exercises.tutor import Said
from bpderive.exercises.tutor_texts import ASK_HINT, HINT, NEXT
from bpderive.symbolic import notation

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class Hint:
    """One hint of a verdict, numbered ``k`` of ``n``, in the verdict's language."""

    k: int
    n: int
    said: Said
    lang: str = "en"

    def __str__(self) -> str:
        return HINT[self.lang == "zh"].format(k=self.k, n=self.n, text=self.said.text)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        head = HINT[self.lang == "zh"].split("{text}")[0].format(k=self.k, n=self.n)
        return f"**{head.rstrip()}** {self.said.markdown}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`~bpderive.exercises.check`.

    ``correct``, the ``mistake`` code (``None`` when right), the ``message`` for the learner
    (what is wrong and where; with ``reveal=True`` also the expected expression), ``hints``
    (least to most specific, the last giving the expected expression and its number; empty
    where the mistake has no located cause) and ``read_as``, the expression the text was read
    as (``None`` when it could not be read). ``proved`` is true when SymPy proved a right answer
    equal to the chain, not only the numbers. ``lang`` is the language it speaks: in Chinese
    every part a learner reads is Chinese, the headline included; the mistake code stays for
    programs."""

    target: str
    answer: str
    correct: bool
    mistake: str | None
    message: str
    read_as: sp.Expr | None
    lang: str = "en"
    proved: bool = False
    markdown: str = field(default="", repr=False)
    hints: tuple[str, ...] = ()
    hints_markdown: tuple[str, ...] = field(default=(), repr=False)
    #: The paths of the chain the answer misses or gets wrong, by unit: ``{"o2": "missing"}``.
    marks: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: How :meth:`figure` draws: ``drawing(ax, marks)``, set by check for a parameter's gradient.
    drawing: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.message

    def hint(self, k: int = 1) -> Hint:
        """Hint number ``k`` (from 1) of :attr:`hints`: the first says where to look, the last
        gives the expected expression."""
        if not self.hints:
            raise ValueError(f"k: this verdict ({self.mistake or 'correct'}) has no hints")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(self.hints):
            raise ValueError(f"k: expected a hint number from 1 to {len(self.hints)}, got {k!r}")
        said = Said(self.hints[k - 1], (self.hints_markdown or self.hints)[k - 1])
        return Hint(k, len(self.hints), said, self.lang)

    def figure(self, ax: Axes | None = None) -> Axes:
        """The chain asked for, drawn path by path on the article's figure, with the path the
        answer misses (or gets wrong) dashed in red; needs matplotlib."""
        if self.drawing is None:
            raise ValueError(
                f"figure: a verdict of {self.mistake or 'a right answer'} on {self.target} has "
                "no paths to draw (only a parameter's gradient has)"
            )
        return self.drawing(ax, self.marks)

    def _headline(self, zh: bool) -> str:
        if self.correct:
            return "✓"
        name = MISTAKE_NAMES[self.mistake][zh]
        return f"✗ {VERDICT['wrong'][zh].format(mistake=name)}"

    def report(self, shown: int = 1, ask: str = ASK_HINT) -> str:
        """The verdict as text: the headline and message, how the answer was read, the first
        ``shown`` hints, and how to ask for the next one (``ask``, formatted with its number:
        a notebook calls ``.hint(2)``, the command line takes ``--hints 2``)."""
        zh = self.lang == "zh"
        colon = "：" if zh else ": "  # a full-width colon takes no space after it
        mark = "✓ " if self.correct else self._headline(zh) if zh else f"✗ {self.mistake}{colon}"
        lines = [f"{mark}{self.message}"]
        if self.read_as is not None:
            lines.append(f"  {VERDICT['read_as'][zh]}{colon}{notation.text(self.read_as)}")
        shown = min(shown, len(self.hints))
        lines += [f"  {self.hint(k)}" for k in range(1, shown + 1)]
        if shown < len(self.hints):
            lines.append(f"  {NEXT[zh].format(ask=ask.format(k=shown + 1))}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.report()

    def summary_markdown(self) -> str:
        """The headline, the message and how the answer was read, without the hints."""
        zh = self.lang == "zh"
        lines = [f"**{self._headline(zh)}** {self.markdown or self.message}"]
        if self.read_as is not None:
            colon = "：" if zh else ": "
            lines.append(f"{VERDICT['read_as'][zh]}{colon}${notation.latex(self.read_as)}$")
        return "\n\n".join(lines)

    def _repr_markdown_(self) -> str:
        zh = self.lang == "zh"
        lines = [self.summary_markdown()]
        if self.hints:
            lines.append(self.hint(1)._repr_markdown_())
            if len(self.hints) > 1:
                lines.append(NEXT[zh].format(ask=ASK_HINT.format(k=2)))
        return "\n\n".join(lines)

    def _repr_latex_(self) -> str:
        shown = self.read_as if self.read_as is not None else sp.Symbol(r"\text{?}")
        mark = r"\checkmark" if self.correct else r"\times"
        return rf"$\displaystyle {mark}\quad {notation.latex(shown)}$"
