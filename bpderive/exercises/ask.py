"""An answer box in the notebook: type a derivation, press Check, read the verdict; press Hint
for the next hint, one at a time (the last gives the expected expression). Where the verdict
is about a path of the chain, the article's figure with that path marked is shown under it.

The box's labels and its verdicts speak the language in use (:func:`bpderive.set_language`), or
``lang=`` for one box. :func:`ask` needs ``ipywidgets`` (in the ``notebooks`` extra). Without it,
it says how to install it and how to use :func:`~bpderive.exercises.check` meanwhile, instead of
failing: a learner who opens a notebook in a bare Jupyter should still be able to do the
exercise.
"""

from __future__ import annotations

from bpderive import language
from bpderive.exercises.check import check
from bpderive.exercises.messages import ASK
from bpderive.exercises.task import task
from bpderive.exercises.verdict import Verdict
from bpderive.network import Network


class Asker:
    """The widgets of one question, and :meth:`on_check`, the Check button's handler. The language
    is fixed when the box is made, so its verdicts always match its labels."""

    def __init__(self, net: Network, target: str, lang: str | None = None) -> None:
        import ipywidgets as widgets

        self.net, self.target, self.lang = net, target, language.resolve(lang)
        zh = self.lang == "zh"
        name = task(net, target, self.lang).name
        self.text = widgets.Text(placeholder="(out_o1 - target_o1)*…", layout={"width": "100%"})
        self.button = widgets.Button(description=ASK["button"][zh])
        self.hint_button = widgets.Button(description=ASK["hint"][zh], disabled=True)
        self.output = widgets.Output()
        self.button.on_click(self.on_check)
        self.hint_button.on_click(self.on_hint)
        self.verdict: Verdict | None = None
        self.shown = 0  # hints shown for the current verdict
        prompt = widgets.Label(ASK["prompt"][zh].format(target=name))
        row = widgets.HBox([self.text, self.button, self.hint_button])
        self.widget = widgets.VBox([prompt, row, self.output])

    def on_check(self, _button: object = None) -> Verdict:
        """Check the box's text and show the verdict below it (and return it): its message,
        and the figure of the chain's paths where the verdict marks one of them."""
        verdict = check(self.net, self.target, self.text.value, self.lang)
        self.verdict, self.shown = verdict, 0
        self.output.outputs = ()
        self.output.append_display_data(_Message(verdict))
        if verdict.marks:
            self.output.append_display_data(_figure(verdict))
        self.hint_button.disabled = not verdict.hints
        return verdict

    def on_hint(self, _button: object = None) -> None:
        """Show the next hint of the current verdict; after the last, the button is disabled."""
        if self.verdict is None or self.shown >= len(self.verdict.hints):
            return
        self.shown += 1
        self.output.append_display_data(self.verdict.hint(self.shown))
        self.hint_button.disabled = self.shown >= len(self.verdict.hints)


class _Message:
    """A verdict without its first hint: in the box, hints come one press of Hint at a time."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def __repr__(self) -> str:
        return repr(self.verdict).split("\n  ")[0]  # the headline and message, no hint

    def _repr_markdown_(self) -> str:
        return self.verdict.summary_markdown()


def _figure(verdict: Verdict) -> object:
    """The verdict's figure as a PNG image (an Output widget shows images, not live figures)."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    ax = verdict.figure()
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    return Image(buffer.getvalue())


def ask(net: Network, target: str, lang: str | None = None) -> None:
    """Show a text box with a Check button for ``target`` (see :func:`check`), or, where
    ipywidgets is missing, say how to install it; in ``lang`` (default: the language in use)."""
    lang = language.resolve(lang)
    task(net, target, lang)  # an unknown target is a usage error, with or without widgets
    try:
        import ipywidgets  # noqa: F401
        from IPython.display import display
    except ImportError:
        print(ASK["install"][lang == "zh"].format(target=target))
        return
    display(Asker(net, target, lang).widget)
