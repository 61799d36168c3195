"""An answer box in the notebook: type a derivation, press Check, read the verdict.

The box's labels and its verdicts speak the language in use (:func:`bpderive.set_language`), or
``lang=`` for one box. :func:`ask` needs ``ipywidgets`` (in the ``notebooks`` extra). Without it,
it says how to install it and how to use :func:`~bpderive.exercises.check` meanwhile, instead of
failing: a learner who opens a notebook in a bare Jupyter should still be able to do the
exercise.
"""

from __future__ import annotations

from bpderive import language
from bpderive.exercises.check import Verdict, _task, check
from bpderive.exercises.messages import ASK
from bpderive.network import Network


class Asker:
    """The widgets of one question, and :meth:`on_check`, the Check button's handler. The language
    is fixed when the box is made, so its verdicts always match its labels."""

    def __init__(self, net: Network, target: str, lang: str | None = None) -> None:
        import ipywidgets as widgets

        self.net, self.target, self.lang = net, target, language.resolve(lang)
        zh = self.lang == "zh"
        name = _task(net, target, self.lang).name
        self.text = widgets.Text(placeholder="(out_o1 - target_o1)*…", layout={"width": "100%"})
        self.button = widgets.Button(description=ASK["button"][zh])
        self.output = widgets.Output()
        self.button.on_click(self.on_check)
        prompt = widgets.Label(ASK["prompt"][zh].format(target=name))
        self.widget = widgets.VBox([prompt, widgets.HBox([self.text, self.button]), self.output])

    def on_check(self, _button: object = None) -> Verdict:
        """Check the box's text and show the verdict below it (and return it)."""
        verdict = check(self.net, self.target, self.text.value, self.lang)
        self.output.outputs = ()
        self.output.append_display_data(verdict)
        return verdict


def ask(net: Network, target: str, lang: str | None = None) -> None:
    """Show a text box with a Check button for ``target`` (see :func:`check`), or, where
    ipywidgets is missing, say how to install it; in ``lang`` (default: the language in use)."""
    lang = language.resolve(lang)
    _task(net, target, lang)  # an unknown target is a usage error, with or without widgets
    try:
        import ipywidgets  # noqa: F401
        from IPython.display import display
    except ImportError:
        print(ASK["install"][lang == "zh"].format(target=target))
        return
    display(Asker(net, target, lang).widget)
