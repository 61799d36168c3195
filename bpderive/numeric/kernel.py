"""The derived rules as one straight-line NumPy function per network, every operation in place.

:func:`generate` writes Python source from the rules of :mod:`bpderive.symbolic.rules`: for each
layer ``net = out_below·Wᵀ + b`` and ``out = f(net)``, the output layer's ``δ`` with the mean's
``1/N`` folded in, and back down ``∂E/∂W = δᵀ·out_below``, ``∂E/∂b = 1ᵀ·δ``,
``δ_below = (δ·W) ⊙ f′``. Each formula is the derived SymPy expression, turned by
:class:`InPlace` into a few NumPy ufunc calls that write into buffers kept per batch size
(:attr:`Kernel.buffers`): no temporary array is made and dropped on every call, which on a
hand-written backprop is most of the time spent at small sizes and a page fault per fresh
array at large ones. The source is kept (``CompiledNetwork.source``): the derived formula,
as the code that computes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bpderive.language import pick
from bpderive.numeric.codegen import output_rule
from bpderive.numeric.inplace import NUMPY_NAMES, InPlace
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import DerivedRules


@dataclass(frozen=True)
class Kernel:
    """The generated functions, their source, and what their workspaces hold."""

    source: str
    gradients: Callable[..., float]
    forward: Callable[..., None]
    cost: Callable[..., np.ndarray]
    buffers: Callable[[int], tuple[np.ndarray, ...]]
    names: list[str]
    checked: Callable[..., tuple[float, dict[str, np.ndarray]] | None]


def generate(
    rules: DerivedRules,
    cost: Callable[..., np.ndarray],
    workspace: Callable[[int], tuple[np.ndarray, ...]],
    coupled_delta: Callable[..., np.ndarray] | None = None,
) -> Kernel:
    """The kernel of a network: ``cost(out, target, net)`` gives every output's loss term,
    ``workspace(n)`` the buffers for ``n`` samples (made from :attr:`Kernel.buffers` and kept
    by the caller); a softmax output layer, whose units are coupled, brings, where no one ``δ``
    rule was proved for all its units
    (:attr:`~bpderive.symbolic.rules.OutputRule.shared_delta`), its
    ``coupled_delta(out, target, net)``, which the generated code calls."""
    sizes, L = rules.sizes, len(rules.sizes) - 1
    params = [f"{kind}{k}" for k in range(1, L + 1) for kind in ("W", "b")]
    grads = [f"g{p}" for p in params]
    helpers: dict[str, Callable] = {}
    shapes: dict[str, tuple[str, int]] = {}  # buffer → ("N" rows, columns)
    forward: list[str] = []
    for k, layer in enumerate(rules.layers, start=1):
        below = "X" if k == 1 else f"out{k - 1}"
        shapes[f"net{k}"] = shapes[f"out{k}"] = ("N", layer.size)
        forward += [
            f"matmul({below}, W{k}.T, net{k})",
            f"add(net{k}, b{k}, net{k})",
        ]
        if layer.numerator is not None:  # g(net − max)/Σ g(net − max), row by row
            shapes[f"s{k}"], shapes[f"z{k}"] = ("N", 1), ("N", layer.size)
            forward += [
                f"np.maximum.reduce(net{k}, 1, None, s{k}, True)",
                f"subtract(net{k}, s{k}, z{k})",
            ]
            code = InPlace({NET: f"z{k}"}, f"f{k}_")
            code.assign(layer.numerator, f"out{k}")
            code.lines += [
                f"add.reduce(out{k}, 1, None, s{k}, True)",
                f"divide(out{k}, s{k}, out{k})",
            ]
        else:
            code = InPlace({NET: f"net{k}"}, f"f{k}_")
            code.assign(layer.activation, f"out{k}")
        forward += code.lines
        helpers.update(code.helpers)
        for t in range(code.n_temps):
            shapes[f"f{k}_{t}"] = ("N", layer.size)

    out = rules.output
    backward: list[str] = []
    m = sizes[-1]
    shapes[f"d{L}"] = ("N", m)
    helpers["_cost"] = cost
    cost_lines = [
        f"cost = float(np.sum(_cost(out{L}, T, net{L}))) / X.shape[0] if want_cost else np.nan"
    ]
    if out.residual is not None and not out.coupled:  # c·Σe²: the errors in place, one dot
        code = InPlace({OUT: f"out{L}", TARGET: "T", NET: f"net{L}"}, "e_")
        code.assign(out.residual, "e_0")
        shapes.update({f"e_{t}": ("N", m) for t in range(max(code.n_temps, 1))})
        helpers.update(code.helpers)
        scale = float(out.residual_scale)
        cost_lines = [
            "if want_cost:",
            *(f"    {line}" for line in code.lines),
            "    e_flat = e_0.reshape(-1)",
            f"    cost = {scale!r} * float(np.dot(e_flat, e_flat)) / X.shape[0]",
            "else:",
            "    cost = np.nan",
        ]
    if out.shared_delta is None:  # every unit its own rule: the per-unit code, column by column
        helpers["_delta"] = coupled_delta
        backward += [
            f"np.copyto(d{L}, _delta(out{L}, T, net{L}))",
            f"multiply(d{L}, inv_n, d{L})",
        ]
    else:
        code = InPlace(
            {OUT: f"out{L}", TARGET: "T", NET: f"net{L}", sp.Symbol("inv_n"): "inv_n"}, f"d{L}_"
        )
        code.assign(out.shared_delta * sp.Symbol("inv_n"), f"d{L}")
        backward += code.lines
        helpers.update(code.helpers)
        for t in range(code.n_temps):
            shapes[f"d{L}_{t}"] = ("N", m)
    for k in range(L, 0, -1):
        below = "X" if k == 1 else f"out{k - 1}"
        backward += [
            f"matmul(d{k}.T, {below}, gW{k})",
            f"matmul(ones, d{k}, gb{k})",
        ]
        if k == 1:
            break
        layer = rules.layers[k - 2]
        shapes[f"d{k - 1}"] = ("N", layer.size)
        backward.append(f"matmul(d{k}, W{k}, d{k - 1})")
        symbol = OUT if layer.local_in_output else NET
        if layer.local == 1:
            continue
        code = InPlace(
            {symbol: f"{'out' if layer.local_in_output else 'net'}{k - 1}"}, f"d{k - 1}_"
        )
        local = sp.Symbol("_delta")
        code.names[local] = f"d{k - 1}"
        code.assign(local * layer.local, f"d{k - 1}")
        backward += code.lines
        helpers.update(code.helpers)
        for t in range(code.n_temps):
            shapes[f"d{k - 1}_{t}"] = ("N", layer.size)

    needed = {k for k, layer in enumerate(rules.layers[:-1], start=1) if not layer.local_in_output}
    if out.coupled or out.cost_in_net is not None or NET in out.delta[0].free_symbols:
        needed.add(L)
    in_place = forward
    for k in range(1, L + 1):
        if k not in needed:
            in_place = _net_into_out(in_place, k)
    unpack = ", ".join(shapes) + ", ones"
    signature = ", ".join([*params, "X", "T", "ws", *grads, "want_cost"])
    lines = [
        f"def gradients({signature}):",
        f'    """{pick(_GRADIENTS_DOC)}"""',
        f"    {unpack} = ws",
        "    inv_n = 1.0 / X.shape[0]",
        *(f"    {line}" for line in in_place),
        *(f"    {line}" for line in cost_lines),
        *(f"    {line}" for line in backward),
        "    return cost",
        "",
        f"def forward({', '.join([*params, 'X', 'ws'])}):",
        f'    """{pick(_FORWARD_DOC)}"""',
        f"    {unpack} = ws",
        *(f"    {line}" for line in forward),
    ]
    lines += ["", *_checked_entry(sizes, params, targets_checked=not _propagates(rules))]
    source = "\n".join(lines) + "\n"
    ufuncs = {name: getattr(np, name) for name in NUMPY_NAMES}
    namespace: dict[str, object] = {
        "np": np,
        **ufuncs,
        **helpers,
        "ndarray": np.ndarray,
        "F64": np.dtype(np.float64),
        "isfinite": math.isfinite,
        "dot": np.dot,
        "empty": np.empty,
        "quiet": np.errstate,
        "workspace": workspace,
    }
    exec(compile(source, "<bpderive kernel>", "exec"), namespace)  # noqa: S102 - our own source
    names = list(shapes)

    def buffers(n: int) -> tuple[np.ndarray, ...]:
        made = [np.empty((n, shapes[name][1])) for name in names]
        return (*made, np.ones(n))

    return Kernel(
        source,
        namespace["gradients"],
        namespace["forward"],
        cost,
        buffers,
        names,
        namespace["checked"],
    )


def _net_into_out(lines: list[str], k: int) -> list[str]:
    """Layer ``k``'s forward lines with ``net{k}`` kept in ``out{k}`` itself, so that ``f(net)``
    overwrites ``net`` in place, as a hand-written loop would: fewer arrays, less memory
    traffic. Only when nothing after the activation reads ``net{k}`` (the backward pass of this
    layer needs only ``out``): checked on the lines, unchanged if it does."""
    net, out = re.compile(rf"\bnet{k}\b"), f"out{k}"
    written = next(
        (i for i, line in enumerate(lines) if line.rstrip(")").endswith(f", {out}")), None
    )
    if written is None or any(net.search(line) for line in lines[written + 1 :]):
        return lines
    return [net.sub(out, line) for line in lines]


#: The generated functions' docstrings, in the language in use when the network is compiled:
#: the source is something a learner reads (``compile().source``), in either edition.
_GRADIENTS_DOC = (
    "∂E/∂W and ∂E/∂b into the g arrays; the cost if want_cost (else NaN).",
    "把 ∂E/∂W 和 ∂E/∂b 写进 g 数组；want_cost 为真时返回代价（否则为 NaN）。",
)
_FORWARD_DOC = (
    "net and out of every layer into the workspace.",
    "把每一层的 net 和 out 写进工作区。",
)


def _checked_entry(sizes: tuple[int, ...], params: list[str], targets_checked: bool) -> list[str]:
    """The source of ``checked(params, X, T, want_cost)``: the call a user makes, with every
    argument already what the checks would make of it (float arrays of the right shapes, finite
    parameters), straight to ``gradients``; ``None`` for anything else, which the caller then
    sends through the full checks. The data need no pass of their own: a NaN or inf in ``X``
    reaches ``∂E/∂W1 = δ1ᵀ·X`` and one in ``T`` reaches ``δ``, so the results' one finiteness
    test catches it, and the full checks then say where it is. Parameters held in one vector
    (:func:`bpderive.initialize`'s, the training loop's) are checked with the results in one
    product ``w·g``: a non-finite number on either side makes it NaN or inf (``inf·0`` is NaN),
    and an overflow of finite numbers only sends the call to the full checks."""
    shapes = {
        key: (sizes[k], sizes[k - 1]) if key[0] == "W" else (sizes[k],)
        for key in params
        for k in [int(key[1:])]
    }
    offsets, start = {}, 0
    for key, shape in shapes.items():
        size = int(np.prod(shape))
        offsets[key], start = (start, start + size), start + size
    if targets_checked:  # such targets are checked on every call: always the full checks
        return ["def checked(params, X, T, want_cost):", "    return None"]
    arrays = ", ".join(params)
    bases = " and ".join(f"{p}.base is base" for p in params[1:]) or "True"
    views = [
        f"g{p} = g[{a}:{b}]" + (f".reshape({shapes[p]})" if len(shapes[p]) > 1 else "")
        for p, (a, b) in offsets.items()
    ]
    grads = ", ".join(f"g{p}" for p in params)
    result = ", ".join(f'"{p}": g{p}' for p in params)
    return [
        "def checked(params, X, T, want_cost):",
        '    """gradients() for arguments that need no conversion (else None)."""',
        "    if params.__class__ is not dict or X.__class__ is not ndarray:",
        "        return None",
        f"    if T.__class__ is not ndarray or len(params) != {len(params)}:",
        "        return None",
        f"    {arrays} = {', '.join(f'params.get({p!r})' for p in params)}",
        *(
            line
            for p in params
            for line in (
                f"    if {p}.__class__ is not ndarray or {p}.dtype is not F64:",
                "        return None",
                f"    if {p}.shape != {shapes[p]}:",
                "        return None",
            )
        ),
        "    if X.dtype is not F64 or T.dtype is not F64 or X.ndim != 2:",
        "        return None",
        f"    if X.shape[1] != {sizes[0]} or X.shape[0] == 0:",
        "        return None",
        f"    if T.shape != (X.shape[0], {sizes[-1]}):",
        "        return None",
        "    with quiet(all='ignore'):",
        f"        base = {params[0]}.base",
        f"        shared = base.__class__ is ndarray and base.shape == ({start},) and {bases}",
        "        if not shared:",
        "            base = None",
        *(
            line
            for p in params
            for line in (
                f"            if not isfinite(dot({p}.reshape(-1), {p}.reshape(-1))):",
                "                return None",
            )
        ),
        f"        g = empty({start})",
        *(f"        {view}" for view in views),
        f"        cost = gradients({arrays}, X, T, workspace(X.shape[0]), {grads}, want_cost)",
        "        # w·g is finite only if every w and every g is: inf·0 is NaN, inf·x is ±inf",
        "        if not isfinite(dot(g, g if base is None else base)):",
        "            return None",
        "        if want_cost and not isfinite(cost):",
        "            return None",
        f"    return cost, {{{result}}}",
    ]


def _propagates(rules: DerivedRules) -> bool:
    """Whether a NaN or inf target always makes the output ``δ`` NaN or inf, so that checking
    the gradients checks the targets too; tried on the derived rule itself."""
    if rules.loss.target_range is not None or rules.loss.targets_sum_to_one:
        return False  # such targets are checked on every call anyway (check_targets)
    out = rules.output
    m = len(out.outs)
    rule = output_rule(out, out.delta)
    with np.errstate(all="ignore"):
        for bad in (np.nan, np.inf, -np.inf):
            for level in (0.0, 0.25, 0.5, 1.0):
                outs = np.full((1, m), level)
                delta = rule(outs, np.full((1, m), bad), np.full((1, m), level))
                if np.isfinite(np.broadcast_to(delta, outs.shape)).any():
                    return False
    return True
