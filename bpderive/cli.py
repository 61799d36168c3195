"""``bpderive``: the worked example in the terminal, and the LaTeX of any derived gradient.

    bpderive show                      the whole worked example, phase by phase
    bpderive latex w5 [--numeric]      LaTeX of ∂E_total/∂w5's chain (with numbers)
    bpderive latex --all               every gradient
    bpderive latex b4 --sizes 3,4,2 --activation tanh,logistic --loss cross_entropy
    bpderive check w5 "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"
                                       your derivation checked: exit 0 right, 1 wrong

Mistakes (an unknown name, bad sizes) end with exit status 2 and one line saying what was
expected, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bpderive.example import WorkedExample, example
from bpderive.exercises import check
from bpderive.network import Network
from bpderive.symbolic.activations import ACTIVATIONS
from bpderive.symbolic.chain import ChainRule
from bpderive.symbolic.losses import LOSSES
from bpderive.symbolic.notation import number, text


class _Parser(argparse.ArgumentParser):
    """argparse prints its usage before the error; a learner needs the one line that matters."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 2,3,2, got {text!r}"
        ) from None
    return sizes


def _parser() -> _Parser:
    parser = _Parser(prog="bpderive", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    network_options = _Parser(add_help=False)
    network_options.add_argument(
        "--activation",
        default="logistic",
        help=f"one of {', '.join(ACTIVATIONS)} for every layer, or one per weight layer, "
        "separated by commas",
    )
    network_options.add_argument("--loss", default="half_sse", help=", ".join(LOSSES))
    sub.add_parser("show", parents=[network_options], help="the worked example, phase by phase")
    latex = sub.add_parser("latex", parents=[network_options], help="LaTeX of a gradient's chain")
    latex.add_argument("name", nargs="?", help="a parameter: w5, w_(1,1), b4, …")
    latex.add_argument(
        "--numeric", action="store_true", help="the example's number beside each term"
    )
    latex.add_argument("--all", action="store_true", help="every parameter's gradient")
    latex.add_argument("--sizes", type=_sizes, default=(2, 3, 2), help="e.g. 2,3,2 (the default)")
    check = sub.add_parser(
        "check",
        parents=[network_options],
        help="check your derivation of a gradient or a δ (exit 0 right, 1 wrong)",
    )
    check.add_argument("target", help="w5, w_(x1,1), b4, delta_o1, δ_h1, …")
    check.add_argument(
        "answer",
        help='your answer, e.g. "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1" (put -- before '
        "an answer that starts with a minus)",
    )
    check.add_argument("--sizes", type=_sizes, default=(2, 3, 2), help="e.g. 2,3,2 (the default)")
    check.add_argument("--lang", choices=("en", "zh"), default="en", help="en or zh (中文)")
    return parser


def _network(sizes: Sequence[int], activation: str, loss: str) -> Network:
    names = activation.split(",")
    return Network(sizes, names[0] if len(names) == 1 else names, loss)


def _show(ex: WorkedExample) -> str:
    net = ex.net
    env = net.environment(ex.params, ex.x, ex.target)
    lines = [
        f"The article's {'-'.join(map(str, net.sizes))} network "
        f"({', '.join(a.name for a in net.activations)}; loss {net.loss.name}), worked example",
        "  "
        + ", ".join(f"{n.name} = {number(float(env[n.out]))}" for n in net.layers[0])
        + "; "
        + ", ".join(f"{t} = {number(float(env[t]))}" for t in net.targets)
        + f"; η1 = {ex.eta1:g}, η2 = {ex.eta2:g}",
        "",
        "1. Forward pass",
    ]
    lines += [
        f"  {text(eq.lhs)} = {text(eq.rhs)} = {number(float(env[eq.lhs]))}"
        for eq in net.forward_equations
    ]
    lines += ["", "2. Error of this sample"]
    for eq in net.error.terms:
        value = number(float(eq.rhs.xreplace(env)))
        lines.append(f"  {text(eq.lhs)} = {text(eq.rhs)} = {value}")
    total = float(net.error_expr.xreplace(env))
    lines.append(f"  {text(net.error.total.lhs)} = {text(net.error.total.rhs)} = {number(total)}")

    delta = net.delta("o1")
    lines += ["", "3. Output layer: δ_o1", _indent(delta.text(delta.numbers(env)))]

    grad = net.gradient("w5")
    values = grad.evaluate(ex.params, ex.x, ex.target)
    lines += ["", "4. ∂E_total/∂w5 (w5 = w_(1,1), h1 → o1), factor by factor"]
    lines.append(_indent(grad.text(values)))

    lines += ["", "5. Updates (every δ above used the weights before any update)"]
    for rule in (grad, net.gradient("b4")):
        lines.append("  " + _update_line(rule, ex))

    grad = net.gradient("w1")
    values = grad.evaluate(ex.params, ex.x, ex.target)
    lines += ["", "6. Hidden layer: ∂E_total/∂w1 (w1 = w_(x1,1), x1 → h1)"]
    lines.append(_indent(grad.text(values)))
    return "\n".join(lines)


def _update_line(rule: ChainRule, ex: WorkedExample) -> str:
    name = rule.parameter.name
    p = ex.net.resolve(name)
    alias = {v: k for k, v in ex.net.aliases.items()}.get(name)
    name = f"{alias}" if alias else name
    old = float(ex.params[p.key][p.index])
    g = rule.evaluate(ex.params, ex.x, ex.target).value
    eta, symbol = (ex.eta2, "η2") if p.is_bias else (ex.eta1, "η1")
    return (
        f"{name}⁺ = {name} − {symbol}·∂E_total/∂{name} = {number(old)} − {number(eta)}·"
        f"({number(g)}) = {number(old - eta * g)}"
    )


def _indent(block: str) -> str:
    return "\n".join("  " + line for line in block.splitlines())


def _latex(args: argparse.Namespace) -> str:
    net = _network(args.sizes, args.activation, args.loss)
    if args.all == bool(args.name):
        raise _UsageError("latex: give one parameter name (e.g. w5) or --all, not both or neither")
    ex = example(net) if args.numeric else None
    names = net.parameter_names if args.all else [args.name]
    blocks = []
    for name in names:
        grad = net.gradient(name)
        values = grad.evaluate(ex.params, ex.x, ex.target) if ex else None
        blocks.append(grad.latex(values))
    return "\n\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for any mistake in the arguments)."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "show":
            text = _show(example(_network((2, 3, 2), args.activation, args.loss)))
        elif args.command == "check":
            verdict = check(
                _network(args.sizes, args.activation, args.loss),
                args.target,
                args.answer,
                args.lang,
            )
            print(repr(verdict))
            return 0 if verdict.correct else 1
        else:
            text = _latex(args)
    except (_UsageError, ValueError, KeyError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"bpderive: error: {message}", file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
