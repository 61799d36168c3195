"""From a diagnosis to what the learner reads: a short message, the full one, and graded hints.

:func:`explain` turns a :class:`~bpderive.exercises.diagnose.Finding` into three things, each as
text and as Markdown with its formulas in LaTeX (:class:`Said`):

* the *short* message, a verdict's default: what is wrong and where, no expected expression;
* the *full* message (``check(..., reveal=True)``), with the expected expression and numbers;
* the *hints*, least to most specific: where to look, the rule to apply, and last the expected
  expression with its number. The rule is derived, not typed: a factor's hint quotes the local
  equation it differentiates (``out_o1 = 1/(1 + e^(−net_o1))``), a sum's hint the sum of its
  paths' labels.

The learner's names are kept: a parameter typed by the article's flat name (``w6``) is shown by
that name, its full name in brackets. The texts are in :mod:`~bpderive.exercises.tutor_texts`
and :mod:`~bpderive.exercises.messages`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from bpderive.exercises import tutor_texts as tt
from bpderive.exercises.diagnose import Finding
from bpderive.exercises.messages import VERDICT
from bpderive.network import Network
from bpderive.symbolic import notation
from bpderive.symbolic.chain import Chain, Sum, path_unit
from bpderive.symbolic.notation import Name, OrderedEq, Partial

Show = Callable[[sp.Basic], str]


@dataclass(frozen=True)
class Said:
    """One sentence (or a few) for the learner: as text, and as Markdown with LaTeX formulas."""

    text: str
    markdown: str

    def __add__(self, other: Said) -> Said:
        return Said(f"{self.text}{other.text}", f"{self.markdown}{other.markdown}")


@dataclass(frozen=True)
class Explanation:
    """A finding in words: the default message, the full one, and the hints."""

    short: Said
    full: Said
    hints: tuple[Said, ...] = ()


class Speaker:
    """Writes the sentences of one verdict.

    ``label`` is the quantity asked for as the learner asked it (``∂E_total/∂w6``), ``numbers``
    the numbers every sentence may quote (``where``, ``expected_value``, ``given_value``), and
    ``echo`` maps a parameter's symbol to the flat name the learner typed for it (``w_(2,1)`` →
    ``w6``), so that a message speaks the learner's names."""

    def __init__(
        self,
        net: Network,
        label: sp.Symbol,
        zh: bool,
        numbers: Mapping[str, str],
        echo: Mapping[sp.Symbol, sp.Symbol],
    ) -> None:
        self.net, self.label, self.zh = net, label, zh
        self.numbers, self.echo = dict(numbers), echo  # filled while the answer is read

    def say(self, pair: tuple[str, str], fields: Callable[[Show], dict] | None = None) -> Said:
        """``pair`` in the verdict's language, its fields filled by ``fields(show)``: once with
        the text ``show``, once with the LaTeX one."""
        said = []
        for show in (self.text, self.latex):
            extra = fields(show) if fields else {}
            template = pair[self.zh]
            said.append(template.format(**{**self.numbers, "target": show(self.label), **extra}))
        return Said(*said)

    def _via(self, expr: sp.Basic, show: Callable[[sp.Basic], str]) -> str:
        """A label of one path of several, ``∂E_total/∂out_h1 (via net_o2)``, with its path
        named in the message's language (the label's own printing is English)."""
        if isinstance(expr, Partial) and expr.via is not None:
            partial = show(Partial(expr.top, expr.bottom))
            return VERDICT["via"][self.zh].format(
                partial=partial, unit=notation.name_text(expr.via.name)
            )
        return show(expr)

    def text(self, expr: sp.Basic) -> str:
        return self._via(expr, notation.text)

    def latex(self, expr: sp.Basic) -> str:
        return self._via(expr, lambda e: f"${notation.latex(e)}$")

    def written(self, expr: sp.Expr, show: Show) -> str:
        """An expression in the names the learner wrote: ``w6``, and where it is that one
        parameter alone, its full name in brackets: ``w6 (w_(2,1))``."""
        shown = show(expr.xreplace(self.echo))
        if expr in self.echo:
            shown += f"（{show(expr)}）" if self.zh else f" ({show(expr)})"
        return shown

    def join(self, items: list[str]) -> str:
        """``o1 and o2``, ``h2_1, h2_2 and h2_3`` (``h2_1、h2_2和h2_3``)."""
        if len(items) < 2:
            return "".join(items)
        comma = "、" if self.zh else ", "
        return comma.join(items[:-1]) + tt.AND[self.zh] + items[-1]

    def renamed(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` in the learner's names: where the learner speaks the article's flat names
        (the exercise asked for ∂E_total/∂w6, or the answer used w5), every parameter that has
        one is written by it, as the article writes ``net_o1 = w5·out_h1 + w6·out_h2 + …``."""
        asked = self.label.bottom if isinstance(self.label, Partial) else None
        if not self.echo and (asked is None or asked.name not in self.net.aliases):
            return expr
        flat = {self.net.symbol(a): Name(a) for a in self.net.aliases}
        return expr.xreplace(flat)

    def product(self, chain: Chain, show: Show) -> str:
        """A chain as the product of its items' labels (``∂E_total/∂out_o1 · ∂out_o1/∂net_o1 ·
        ∂net_o1/∂w5``): the chain rule's shape, without its expressions."""
        return " · ".join(show(aliased(item.label, self.label, self.net)) for item in chain.items)


def _local_equation(net: Network, top: sp.Symbol) -> sp.Expr | None:
    """The equation a factor ``∂top/∂…`` differentiates: the network's own local equation of
    ``top`` (``net_o1 = …``, ``out_o1 = f(net_o1)``) or of the error (``E_o1 = ½(…)²``)."""
    if top in net.local:
        return net.local[top]
    if top == net.symbol("E_total"):
        return net.error_expr
    if top in net.error_terms:
        return net.error_exprs[net.error_terms.index(top)]
    return None


def rule(speaker: Speaker, item: object, label: sp.Basic | None = None) -> Said | None:
    """The rule that gives ``item``: the local equation a factor differentiates, the chain
    rule's sum over paths, or a path's product of local derivatives; ``None`` where there is
    no rule to add. ``label`` is the item's label as the learner asked (an alias)."""
    label = item.label if label is None else label
    if isinstance(item, Sum):
        return speaker.say(
            tt.HINTS["rule_sum"],
            lambda show: {
                "item": show(label),
                "paths": " + ".join(path_term(speaker, path, show) for path in item.terms),
            },
        )
    if isinstance(item, Chain) and len(item.items) > 1:
        return speaker.say(
            tt.HINTS["rule_path"],
            lambda show: {"item": show(label), "chain": speaker.product(item, show)},
        )
    if not isinstance(label, Partial):
        return None
    local = _local_equation(speaker.net, label.top)
    if local is None:
        return None
    return speaker.say(
        tt.HINTS["rule_factor"],
        lambda show: {
            "item": show(label),
            "top": show(label.top),
            "equation": show(OrderedEq(label.top, speaker.renamed(local))),
            "bottom": show(label.bottom),
        },
    )


def explain(
    finding: Finding,
    speaker: Speaker,
    chain: Chain,
    read_as: sp.Expr,
    fields: Callable[[Show], dict],
    label: sp.Basic | None,
) -> Explanation:
    """The short message, the full one and the hints for ``finding`` against ``chain`` (the
    chain asked for), the learner's answer read as ``read_as``. ``fields(show)`` are the
    fields of the full message (:func:`fields`); ``label`` is the finding's item's label in
    the learner's names."""
    mistake, item = finding.mistake, finding.item
    if mistake == "missing_path" and finding.missing:
        return _missing_paths(finding, speaker)
    key = mistake
    if mistake == "sign" and item is not None:
        key = "sign_in" if finding.typed else "sign_path"
    full = speaker.say(tt.SIGN_PATH if key == "sign_path" else VERDICT[key], fields)
    if key not in tt.SHORT:
        return Explanation(full, full)
    short = speaker.say(tt.SHORT[key], fields)

    def whole(pair: tuple[str, str]) -> Said:
        return speaker.say(
            pair, lambda show: {**fields(show), "chain": speaker.product(chain, show)}
        )

    def answer() -> Said:  # the whole chain asked for: the bottom of a whole-answer mistake
        return speaker.say(
            tt.BOTTOM, lambda show: {"item": show(speaker.label), "expected": show(chain.expr)}
        )

    if key == "sign":
        haykin = _haykin(speaker, read_as)
        if haykin is not None:
            full += Said(" ", " ") + haykin
        hints = _present(whole(tt.HINTS["where_sign"]), haykin, answer())
        return Explanation(short, full, hints)
    if key == "sign_path":
        where = speaker.say(tt.HINTS["where_sign_path"], fields)
        bottom = speaker.say(tt.BOTTOM, fields)
        return Explanation(short, full, _present(where, _haykin(speaker, read_as), bottom))
    if key == "constant_factor":
        half = fields(speaker.text)["hint"]
        why = speaker.say((VERDICT["half"][0].strip(), VERDICT["half"][1])) if half else None
        why = why or whole(tt.HINTS["rule_constant"])
        return Explanation(short, full, (whole(tt.HINTS["where_constant"]), why, answer()))
    if key == "missing_path":
        total = finding.within
        where = speaker.say(
            tt.HINTS["where_path"],
            lambda show: {
                "source": show(total.label.bottom),
                "units": speaker.join([path_unit(path) for path in total.terms]),
                "unit": finding.path,
            },
        )
        bottom = speaker.say(tt.BOTTOM, fields)
        return Explanation(short, full, _present(where, rule(speaker, total), bottom))
    where = whole(tt.HINTS["where_missing" if key == "missing_factor" else "where_factor"])
    bottom = speaker.say(tt.BOTTOM, fields)
    return Explanation(short, full, _present(where, rule(speaker, item, label), bottom))


def _haykin(speaker: Speaker, read_as: sp.Expr) -> Said | None:
    """Where a minus stands before a δ, the other sign convention a learner may have read."""
    negative_delta = any(
        term.as_coeff_Mul()[0] < 0 and any(s.name.startswith("delta_") for s in term.free_symbols)
        for term in sp.Add.make_args(read_as.expand())
    )
    return speaker.say(tt.HINTS["haykin"]) if negative_delta else None


def _present(*hints: Said | None) -> tuple[Said, ...]:
    return tuple(hint for hint in hints if hint is not None)


def _missing_paths(finding: Finding, speaker: Speaker) -> Explanation:
    """Several paths of one sum left out: each named; the last hint gives each one's term."""
    total, missing = finding.within, [path_unit(path) for path in finding.missing]

    def terms(show: Show) -> str:  # each as the δ rule writes it, δ_h2_2·w(2)_(1,2)
        return ("；" if speaker.zh else "; ").join(
            f"{path_term(speaker, path, show)} = {show(term_form(speaker.net, path))}"
            for path in finding.missing
        )

    def numbered(show: Show) -> str:  # and with its number, for the last hint
        return ("；" if speaker.zh else "; ").join(
            tt.BOTTOM[speaker.zh]
            .format(
                item=path_term(speaker, path, show),
                expected=show(term_form(speaker.net, path)),
                expected_value=notation.number(value),
                where=speaker.numbers["where"],
            )
            .rstrip(".。")
            for path, value in zip(finding.missing, finding.missing_values, strict=True)
        )

    units = speaker.join(missing)
    full = speaker.say(tt.MISSING_PATHS, lambda show: {"units": units, "terms": terms(show)})
    short = speaker.say(tt.MISSING_PATHS_SHORT, lambda show: {"units": units})
    where = speaker.say(
        tt.HINTS["where_paths"],
        lambda show: {
            "source": show(total.label.bottom),
            "units": speaker.join([path_unit(path) for path in total.terms]),
            "missing": units,
        },
    )
    end = "。" if speaker.zh else "."
    bottom = Said(numbered(speaker.text) + end, numbered(speaker.latex) + end)
    return Explanation(short, full, _present(where, rule(speaker, total), bottom))


def _through_delta(net: Network, path: Chain) -> bool:
    """Whether the path enters its unit by that unit's net, so that all but its last factor
    multiply to the unit's δ (∂E_total/∂net_o2 = δ_o2). A softmax output's path does not: it
    leaves by ``∂out_o1/∂net_o2``, and its first factor is ∂E_total/∂out_o1, not δ_o1."""
    if len(path.items) < 3:
        return False
    entered = path.items[-2].label
    return isinstance(entered, Partial) and entered.bottom == net.symbol(f"net_{path_unit(path)}")


def term_form(net: Network, path: Chain) -> sp.Expr:
    """A path's term, short at any depth: as the δ rule writes it, δ_o2·w_(1,2), where the
    path goes through a unit's δ; else the product of its factors (a softmax output's
    ∂E_total/∂out_o1 · ∂out_o1/∂net_o2 = (−target_o1/out_o1)·(−out_o1·out_o2))."""
    if _through_delta(net, path):
        return sp.Mul(net.delta_symbol(path_unit(path)), path.items[-1].expr)
    return sp.Mul(*(item.expr for item in path.items))


def path_term(speaker: Speaker, path: Chain, show: Show) -> str:
    """A path's term by its label where the label alone names it (∂E_o1/∂out_h1); else, where
    only "via net_h2_2" would tell the paths apart, as the product it is: a δ times a local
    derivative (∂E_total/∂net_h2_2 · ∂net_h2_2/∂out_h1_1), or a softmax output's factors
    (∂E_total/∂out_o1 · ∂out_o1/∂net_o2)."""
    if not isinstance(path.label, Partial) or path.label.via is None:
        return show(path.label)
    if _through_delta(speaker.net, path):
        unit = speaker.net.symbol(f"net_{path_unit(path)}")
        labels = [Partial(path.label.top, unit), path.items[-1].label]
    else:
        labels = [item.label for item in path.items]
    return " · ".join(show(label) for label in labels)


def learners_form(finding: Finding) -> sp.Expr:
    """The expected factor as the learner would write it: ``f'(net)`` (the derivative as
    ``sympy.diff`` gives it) where the answer is in ``net``, else the form in ``out``."""
    item, given = finding.item, finding.given
    raw = getattr(item, "raw", None)
    if raw is None or given is None:
        return finding.expected
    uses = given.free_symbols
    return (
        raw if uses & raw.free_symbols and not uses & item.expr.free_symbols else finding.expected
    )


def aliased(label: sp.Basic, asked: sp.Basic, net: Network) -> sp.Basic:
    """A label with the target's parameter written as the learner asked for it
    (``∂net_o1/∂w_(2,1)`` → ``∂net_o1/∂w6``), so the message speaks the learner's names."""
    alias = asked.bottom if isinstance(asked, Partial) else None
    if alias is None or alias.name not in net.aliases or not isinstance(label, Partial):
        return label
    return Partial(label.top, alias, label.via) if label.bottom == net.symbol(alias.name) else label


def fields(finding: Finding, speaker: Speaker, loss_has_half: bool) -> Callable[[Show], dict]:
    """The parts of a finding's sentences, for one ``show``: the item's label, the expected
    expression and what the learner wrote (in their names), the numbers, the path."""
    item = finding.item

    def build(show: Show) -> dict:
        found: dict[str, str] = {}
        if finding.expected_value is not None:
            found["expected_value"] = notation.number(finding.expected_value)
        if finding.given_value is not None and math.isfinite(finding.given_value):
            found["given_value"] = notation.number(finding.given_value)
        found["path"] = (
            VERDICT["in_path"][speaker.zh].format(unit=finding.path) if finding.path else ""
        )
        found["unit"] = finding.path or ""
        if isinstance(item, Chain) and finding.mistake == "missing_path":
            found["item"] = path_term(speaker, item, show)  # the path, as hint 2 writes it
        elif item is not None:
            found["item"] = show(aliased(item.label, speaker.label, speaker.net))
        if item is not None:
            found["expected"] = show(learners_form(finding))
            found["given"] = (
                speaker.written(finding.given, show) if finding.given is not None else ""
            )
        if finding.mistake == "constant_factor":
            found["ratio"] = notation.text(finding.ratio)
            doubled = loss_has_half and finding.ratio in (2, sp.Rational(1, 2))
            found["hint"] = VERDICT["half"][speaker.zh] if doubled else ""
        if (finding.mistake == "missing_path" and not finding.missing) or not finding.typed:
            found["expected"] = show(term_form(speaker.net, item))
            found["path"] = ""
        return found

    return build
