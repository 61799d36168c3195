"""Bad and edge inputs, as an adversarial user tries them: through the API, the command line and
the files. Each case asserts the exception's type and that its message names the argument, or
asserts the right number, computed here another way (mpmath at many digits, or by hand).

Areas: numerics, limits, argument types, command line, files.
"""

from __future__ import annotations

import ctypes
import errno
import json
import math
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import matplotlib
import mpmath
import numpy as np
import pytest
import sympy as sp

from bpderive import Activation, Network, __version__, example, persist, train
from bpderive.cli import _write
from bpderive.data import mapminmax, two_class, xor
from bpderive.display import equations, show
from bpderive.exercises import check
from bpderive.limits import LimitError
from bpderive.persist import FORMAT_TAG, load, save
from bpderive.symbolic.activations import leaky_relu

matplotlib.use("Agg")

from bpderive.display.descent import descent_path  # noqa: E402
from bpderive.display.diagram import draw_network  # noqa: E402
from bpderive.display.learned import plot_decision_boundary  # noqa: E402
from bpderive.display.plotting import plot_costs, plot_history  # noqa: E402

EX = example()
NET = EX.net
PARAMS = EX.params
SAMPLE = (np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]]))


def no_warnings(call: Callable[[], object]) -> object:
    """``call()`` with every warning an error: an overflow must never leak one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def refused(call: Callable[[], object], kind: type[BaseException], match: str) -> None:
    with pytest.raises(kind, match=match):
        no_warnings(call)


# ======================================================================================= numerics


def softplus_exact(net: float) -> mpmath.mpf:
    return mpmath.log(1 + mpmath.exp(mpmath.mpf(net)))


@pytest.mark.parametrize("net", [-1000.0, -50.0, 0.0, 3.0, 50.0, 700.0, 1000.0, 1e5])
def test_softplus_cost_and_gradient_stay_finite_and_right(net: float) -> None:
    """½(target − softplus(net))² and its gradient σ(net)·(softplus(net) − target), at 60
    digits, against the compiled network at ``net = w·1``."""
    softplus_net = Network((1, 1), "softplus")
    c = softplus_net.compile()
    params = {"W1": np.array([[net]]), "b1": np.zeros(1)}
    with mpmath.workdps(60):
        out = softplus_exact(net)
        cost = float((0.5 - out) ** 2 / 2)
        slope = float(1 / (1 + mpmath.exp(-mpmath.mpf(net))) * (out - mpmath.mpf(0.5)))
    assert no_warnings(lambda: c.cost(params, [[1.0]], [[0.5]])) == pytest.approx(cost, rel=1e-12)
    grads = no_warnings(lambda: c.gradients(params, [[1.0]], [[0.5]]))
    assert grads["b1"][0] == pytest.approx(slope, rel=1e-12, abs=1e-300)


def bce_exact(net: float, target: float) -> float:
    """−t·log σ(net) − (1 − t)·log(1 − σ(net)), as the formula reads, at 3000 digits."""
    with mpmath.workdps(3000):
        out = 1 / (1 + mpmath.exp(-mpmath.mpf(net)))
        t = mpmath.mpf(target)
        terms = mpmath.mpf(0)
        if t:
            terms -= t * mpmath.log(out)
        if 1 - t:
            terms -= (1 - t) * mpmath.log(1 - out)
        return float(terms)


@pytest.mark.parametrize("target", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("net", [-1000.0, -800.0, -40.0, 0.0, 40.0, 800.0, 1000.0])
def test_binary_cross_entropy_is_the_true_cost_when_saturated(net: float, target: float) -> None:
    bce = Network((1, 1), "logistic", "cross_entropy").compile()
    params = {"W1": np.array([[net]]), "b1": np.zeros(1)}
    got = no_warnings(lambda: bce.cost(params, [[1.0]], [[target]]))
    assert got == pytest.approx(bce_exact(net, target), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("k", [0, 1, 2])
@pytest.mark.parametrize("scale", [1000.0, 1e4])
def test_softmax_cross_entropy_through_log_sum_exp(k: int, scale: float) -> None:
    """−log softmax_k of nets (scale, 0, −scale): log Σe^net − net_k, at 60 digits."""
    softmax = Network((2, 3), "softmax", "cross_entropy").compile()
    params = {"W1": np.array([[scale, 0.0], [0.0, 0.0], [-scale, 0.0]]), "b1": np.zeros(3)}
    target = np.eye(3)[[k]]
    nets = np.array([scale, 0.0, -scale])
    with mpmath.workdps(60):
        lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(n)) for n in nets))
        expected = float(lse - mpmath.mpf(nets[k]))
    assert no_warnings(lambda: softmax.cost(params, [[1.0, 0.0]], target)) == pytest.approx(
        expected, rel=1e-12
    )


def test_training_from_a_saturated_cross_entropy_does_not_diverge() -> None:
    """The gradient is finite (δ = out − target), so is the cost now: training goes on."""
    net = Network((1, 1), "logistic", "cross_entropy")
    params = {"W1": np.array([[1000.0]]), "b1": np.zeros(1)}
    result = no_warnings(lambda: train(net, [[1.0]], [[0.0]], params=params, epochs=5))
    assert result.stop_reason == "epochs"
    assert result.history.cost[0] == pytest.approx(1000.0, rel=1e-12)
    assert np.isfinite(result.history.cost).all()


@pytest.mark.parametrize("big", [1e200, 1e308])
@pytest.mark.parametrize("activation", ["linear", "relu", "softplus", "elu"])
def test_huge_parameters_are_a_clear_error_not_a_silent_inf(activation: str, big: float) -> None:
    c = Network((2, 3, 2), activation).compile()
    params = {k: np.full(shape, big) for k, shape in NET.parameter_shapes.items()}
    for method in (c.cost, c.gradients, c.cost_and_gradients):
        refused(lambda m=method: m(params, *SAMPLE), FloatingPointError, r"^params, X: the ")


@pytest.mark.parametrize("big", [1e200, 1e308])
@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_huge_parameters_that_saturate_give_the_right_number(activation: str, big: float) -> None:
    """Every output saturates at exactly 1 (both bounded above by 1): ½((0.01 − 1)² + (0.99 −
    1)²), with no overflow warning on the way."""
    c = Network((2, 3, 2), activation).compile()
    params = {k: np.full(shape, big) for k, shape in NET.parameter_shapes.items()}
    expected = 0.5 * ((0.01 - 1) ** 2 + (0.99 - 1) ** 2)
    assert no_warnings(lambda: c.cost(params, *SAMPLE)) == pytest.approx(expected, rel=1e-15)


def test_huge_parameters_stop_training_as_diverged_and_forward_refuses() -> None:
    net = Network((2, 3, 2), "linear")
    params = {k: np.full(shape, 1e200) for k, shape in NET.parameter_shapes.items()}
    result = no_warnings(lambda: train(net, *SAMPLE, params=params, epochs=3))
    assert result.stop_reason == "diverged"
    refused(lambda: net.compile().forward(params, SAMPLE[0]), FloatingPointError, "^params, X:")


@pytest.mark.parametrize("target", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("net", [-1000.0, -30.0, 30.0, 1000.0, 5000.0])
def test_the_chain_and_the_compiled_network_agree_on_a_saturated_unit(
    net: float, target: float
) -> None:
    """∂E/∂b1 = σ(net) − target, at 60 digits; the chain's own factors (1/(1 − out) huge,
    out(1 − out) tiny) need its extra digits to give it."""
    bce = Network((1, 1), "logistic", "cross_entropy")
    params = {"W1": np.array([[net]]), "b1": np.zeros(1)}
    with mpmath.workdps(60):
        exact = float(1 / (1 + mpmath.exp(-mpmath.mpf(net))) - mpmath.mpf(target))
    chain = bce.gradient("b1").evaluate(params, [1.0], [target]).value
    compiled = bce.compile().gradients(params, [[1.0]], [[target]])["b1"][0]
    assert chain == pytest.approx(exact, rel=1e-12, abs=1e-300)
    assert compiled == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_a_chain_saturated_beyond_its_digits_says_so() -> None:
    bce = Network((1, 1), "logistic", "cross_entropy")
    params = {"W1": np.array([[1e5]]), "b1": np.zeros(1)}
    refused(
        lambda: bce.gradient("b1").evaluate(params, [1.0], [0.3]),
        LimitError,
        r"^params, x, target: .* do not settle even at",
    )


# ========================================================================================= limits

LIMIT_SIZES = [
    ((2, 10**9, 2), r"^sizes: the 2-1000000000-2 network has 1,000,000,002 hidden and output"),
    ((2, 100_000, 2), r"^sizes: .* 100,002 hidden and output units, bpderive builds at most 100,"),
    ((10_000, 5_000, 10), r"^sizes: the 10000-5000-10 network has 50,055,010 weights and biases"),
    ((2,) + (3,) * 100 + (2,), r"^sizes: a network of 101 weight layers is deeper"),
    ((2,) + (3,) * 1200 + (2,), r"^sizes: a network of 1201 weight layers is deeper"),
]


@pytest.mark.parametrize(("sizes", "match"), LIMIT_SIZES)
def test_sizes_beyond_the_limits_are_refused_up_front(sizes: tuple, match: str) -> None:
    refused(lambda: Network(sizes), LimitError, match)


def test_the_deepest_allowed_network_builds_and_proves_its_matrix_form() -> None:
    deep = Network((2,) + (3,) * 99 + (2,))
    assert deep.n_layers == 100
    proof = Network((2,) + (3,) * 30 + (2,)).prove_backward()
    assert (proof.deltas, proof.gradients) == (92, 365)


DEEP = Network((2,) + (3,) * 12 + (2,))


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEEP.gradient("w(1)_(x1,1)").expr,
        lambda: DEEP.gradient("w(1)_(x1,1)").update(explicit=True),
        lambda: DEEP.gradient("b1").expanded(),
        lambda: DEEP.gradient(DEEP.parameter_names[-1]).expanded(),
    ],
    ids=["expr", "update_explicit", "expanded_first", "expanded_last"],
)
def test_formulas_too_large_to_write_out_are_refused(call: Callable[[], object]) -> None:
    refused(call, LimitError, r"written out in full it would have about [\d,]+ operations")


def test_the_checker_calls_a_formula_too_large_to_write_out_too_complex() -> None:
    verdict = check(DEEP, "w(1)_(x1,1)", "x1")
    assert verdict.mistake == "too_complex" and "written out in full" in verdict.message


def test_a_grid_finer_than_the_limit_and_a_figure_too_dense_are_refused() -> None:
    X, T = two_class(n=20)
    big = {"resolution": 100000}
    refused(lambda: plot_decision_boundary(NET, PARAMS, X, T, **big), ValueError, "^resolution:")
    refused(lambda: draw_network(Network((2, 300, 2))), ValueError, r"^net: the figure draws")


# ================================================================================ argument types


@pytest.mark.parametrize(
    "sizes",
    [np.array([2, 3, 2]), np.array([2, 3, 2], dtype=np.int8), (2, np.int64(3), np.uint8(2))],
    ids=["int64_array", "int8_array", "numpy_scalars"],
)
def test_numpy_integers_are_sizes(sizes: object) -> None:
    assert Network(sizes).sizes == (2, 3, 2)


@pytest.mark.parametrize(
    "sizes",
    [np.array([[2, 3]]), np.array([2.5, 3]), [2, True, 2], "2,3", [2, np.bool_(True)], None],
    ids=["2d_array", "floats", "bool", "string", "numpy_bool", "none"],
)
def test_what_is_not_sizes_is_refused(sizes: object) -> None:
    refused(lambda: Network(sizes), ValueError, r"^sizes: expected a sequence of at least two")


def test_numpy_scalars_are_numbers() -> None:
    run = train(NET, *SAMPLE, eta1=np.float32(0.2), epochs=np.int64(3), seed=np.int32(1))
    assert run.epochs == 3 and run.stop_reason == "epochs"
    slope = leaky_relu(np.float32(0.2)).formula.args[0][0]
    assert slope == NET.activations[0].formula.free_symbols.pop() / 5  # exactly 1/5
    ranged = Activation.define(
        "ranged_np", lambda x: x / (1 + sp.exp(-x)), active_range=(np.float32(-4), np.int64(4))
    )
    assert ranged.active_range == (-4.0, 4.0)


@pytest.mark.parametrize(
    "method", ["cost", "gradients", "cost_and_gradients", "jacobian", "errors_and_jacobian"]
)
def test_targets_none_is_refused_by_name(method: str) -> None:
    call = getattr(NET.compile(), method)
    refused(lambda: call(PARAMS, SAMPLE[0], None), ValueError, r"^T: expected the targets")


@pytest.mark.parametrize(
    ("validation", "missing"), [((SAMPLE[0], None), "T_val"), ((None, SAMPLE[1]), "X_val")]
)
def test_a_validation_pair_with_none_is_refused_before_training(
    validation: tuple, missing: str
) -> None:
    calls = []
    refused(
        lambda: train(NET, *SAMPLE, validation=validation, callback=lambda *a: calls.append(a)),
        ValueError,
        rf"^validation: expected a pair \(X_val, T_val\) of arrays, got {missing} None",
    )
    assert calls == []


@pytest.mark.parametrize(
    "callback",
    [lambda epoch: None, lambda: None, lambda a, b, c, d: None, 42, "print"],
    ids=["one_argument", "none", "four_arguments", "int", "string"],
)
def test_a_callback_that_cannot_be_called_so_is_refused_up_front(callback: object) -> None:
    refused(lambda: train(NET, *SAMPLE, epochs=1, callback=callback), ValueError, r"^callback:")


def test_callbacks_that_can_take_the_three_arguments_are_accepted() -> None:
    seen = []

    def extra(epoch, params, history, note="x"):  # noqa: ANN001, ANN202
        seen.append(epoch)

    train(NET, *SAMPLE, epochs=2, callback=extra)
    train(NET, *SAMPLE, epochs=2, callback=lambda *args: seen.append(args[0]))
    assert seen == [0, 1, 2, 0, 1, 2]


STRINGS = np.array([["0.1", "0.2"]])
MASKED = np.ma.array([[0.05, 0.1]], mask=[[False, True]])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: NET.compile().cost(PARAMS, STRINGS, SAMPLE[1]), r"^X: expected numbers, got str"),
        (lambda: NET.compile().cost(PARAMS, SAMPLE[0], STRINGS), r"^T: expected numbers, got str"),
        (
            lambda: NET.compile().cost({**PARAMS, "b2": np.array(["1", "2"])}, *SAMPLE),
            r"^params\['b2'\]: expected numbers, got strings",
        ),
        (lambda: train(NET, STRINGS, SAMPLE[1], epochs=1), r"^X: expected numbers"),
        (
            lambda: train(NET, *SAMPLE, validation=(STRINGS, SAMPLE[1]), epochs=1),
            r"^validation: X: expected numbers",
        ),
        (lambda: mapminmax(STRINGS), r"^X: expected numbers"),
        (
            lambda: NET.compile().cost(PARAMS, MASKED, SAMPLE[1]),
            r"^X: expected numbers, got a mask",
        ),
        (
            lambda: NET.compile().cost(PARAMS, SAMPLE[0], MASKED),
            r"^T: expected numbers, got a mask",
        ),
        (
            lambda: NET.compile().cost({**PARAMS, "b2": np.ma.array([1.0, 2.0])}, *SAMPLE),
            r"^params\['b2'\]: expected numbers, got a masked array",
        ),
        (
            lambda: NET.compile().cost(PARAMS, np.array([[True, False]]), SAMPLE[1]),
            r"^X: expected numbers, got True/False",
        ),
        (
            lambda: NET.compile().cost(PARAMS, np.array([[1j, 0]]), SAMPLE[1]),
            r"^X: expected numbers, got complex",
        ),
        (lambda: NET.compile().cost(PARAMS, [[0.1, None]], SAMPLE[1]), r"^X: expected numbers"),
        (lambda: NET.compile().cost(PARAMS, [[0.1], [0.2, 0.3]], SAMPLE[1]), r"^X: expected numb"),
    ],
    ids=[
        "X_strings",
        "T_strings",
        "params_strings",
        "train_strings",
        "validation_strings",
        "mapminmax_strings",
        "X_masked",
        "T_masked",
        "params_masked",
        "X_bool",
        "X_complex",
        "X_none_inside",
        "X_ragged",
    ],
)
def test_only_numbers_are_numbers(call: Callable[[], object], match: str) -> None:
    refused(call, ValueError, match)


@pytest.mark.parametrize("value", ["no", "yes", 1, 0, None])
def test_flags_are_true_or_false_only(value: object) -> None:
    refused(lambda: xor(one_hot=value), ValueError, r"^one_hot: expected True or False")
    refused(lambda: two_class(n=10, one_hot=value), ValueError, r"^one_hot: expected True or")
    update = NET.gradient("w5").update
    refused(lambda: update(explicit=value), ValueError, r"^explicit: expected True or False")


G5 = NET.gradient("w5")
OUT_O1 = NET.symbol("out_o1")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: G5.latex({}), r"^values: expected the numbers of this chain .* none for ∂E"),
        (lambda: G5.latex(EX.env), r"^values: .* there is none for ∂E_total/∂w_\(1,1\)"),
        (lambda: G5.text({G5.label: 1.0}), r"^values: .* none for ∂E_total/∂out_o1"),
        (lambda: G5.latex([1, 2]), r"^values: expected the numbers of this chain"),
        (lambda: G5.numbers({}), r"^env: no value for out_o1, target_o1 \(needed by ∂E_tot"),
        (lambda: G5.numbers({OUT_O1: 0.5}), r"^env: no value for target_o1"),
        (lambda: G5.numbers({OUT_O1: "0.5"}), r"^env\[out_o1\]: expected a number, got '0.5'"),
        (lambda: G5.numbers([0.5]), r"^env: expected a mapping"),
        (lambda: show(G5, {}), r"^env: no value for"),
        (lambda: equations(NET.forward_equations, {OUT_O1: "a"}), r"^values\[out_o1\]: expected"),
        (lambda: G5.evaluate(PARAMS, [0.05, 0.1], None), r"^target: expected numbers"),
        (lambda: G5.evaluate(None, [0.05, 0.1], [0.01, 0.99]), r"^params: expected a mapping"),
    ],
    ids=[
        "latex_empty",
        "latex_env",
        "text_partial",
        "latex_list",
        "numbers_empty",
        "numbers_partial",
        "numbers_string",
        "numbers_list",
        "show_empty",
        "equations_string",
        "evaluate_target_none",
        "evaluate_params_none",
    ],
)
def test_missing_values_are_named(call: Callable[[], object], match: str) -> None:
    refused(call, ValueError, match)


RUN = train(NET, *SAMPLE, epochs=2)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: plot_history(None), r"^result: expected the result of bpderive.train"),
        (lambda: plot_history("run"), r"^result: expected the result of bpderive.train"),
        (lambda: plot_history(RUN, ax=3), r"^ax: expected None or a matplotlib Axes, got int"),
        (lambda: plot_costs(None), r"^results: expected a mapping"),
        (lambda: plot_costs([RUN]), r"^results\[0\]: expected a \(label, TrainResult\) pair"),
        (lambda: plot_costs({"a": 3}), r"^results\['a'\]: expected the result of bpderive.train"),
        (lambda: plot_costs([("a", RUN, 1)]), r"^results\[0\]: expected a \(label, TrainResult"),
        (lambda: plot_decision_boundary(NET, PARAMS, None, None), r"^X: expected numbers"),
        (
            lambda: plot_decision_boundary(NET, PARAMS, [[1, 2, 3]], [[0, 1]]),
            r"^X: expected an \(N, 2\) array",
        ),
    ],
    ids=[
        "history_none",
        "history_string",
        "history_ax",
        "costs_none",
        "costs_bare_results",
        "costs_not_a_result",
        "costs_triple",
        "boundary_none",
        "boundary_shape",
    ],
)
def test_plot_helpers_name_a_bad_argument(call: Callable[[], object], match: str) -> None:
    refused(call, ValueError, match)


W = sp.Symbol("w")


@pytest.mark.parametrize(
    ("cost", "start", "eta", "match"),
    [
        (sp.log(W), -1.0, 0.1, r"^start: the descent starts at w = -1, where the cost log\(w\)"),
        (sp.sqrt(W), 1.0, 10.0, r"^eta: the descent arrives after 1 step\(s\) at w = -4"),
        (1 / W, 0.0, 0.1, r"^start: the descent starts at w = 0, where the cost 1/w"),
    ],
    ids=["log", "sqrt", "reciprocal"],
)
def test_descent_outside_the_costs_domain_says_where(cost, start, eta, match) -> None:  # noqa: ANN001
    refused(lambda: descent_path(cost, W, start, eta, steps=3), ValueError, match)


def test_descent_inside_the_domain_follows_the_derived_slope() -> None:
    path = descent_path(1 / W, W, 1.0, 1.0, steps=2)  # w⁺ = w + 1/w²: 1 → 2 → 2.25
    np.testing.assert_allclose(path[:, 0], [1.0, 2.0, 2.25])
    np.testing.assert_allclose(path[:, 1], [1.0, 0.5, 1 / 2.25])


# ================================================================================== command line


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bpderive.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_bare_bpderive_lists_its_commands() -> None:
    done = cli()
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: bpderive")
    assert "{show,latex,check,assignment,report,worksheet}" in done.stdout


def test_version() -> None:
    done = cli("--version")
    assert (done.returncode, done.stdout) == (0, f"bpderive {__version__}\n")


@pytest.mark.parametrize("sizes", ["-1,3", "-2,3,2"])
def test_negative_sizes_are_read_as_sizes(sizes: str) -> None:
    done = cli("latex", "b1", "--sizes", sizes)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("bpderive: error: sizes: expected a sequence of at least two")


def test_sizes_beyond_the_limits_on_the_command_line() -> None:
    done = cli("latex", "b1", "--sizes", "2,100000,2")
    assert done.returncode == 2
    assert done.stderr.startswith("bpderive: error: sizes: the 2-100000-2 network has 100,002")


@pytest.mark.parametrize(
    "args", [("latex", "--all", "--sizes", "2,30,2"), ("show",)], ids=["latex_all", "show"]
)
def test_a_reader_that_closes_the_pipe_ends_the_output_quietly(args: tuple) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bpderive.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.read(10)  # like `| head -c 10`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and "Traceback" not in stderr and "Broken" not in stderr


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("show",), 0),
        (("show", "--lang", "zh"), 0),
        (("latex", "w9"), 2),
        (("check", "w5", "x"), 1),
    ],
    ids=["show", "show_zh", "error", "check"],
)
def test_an_ascii_terminal_gets_ascii_not_a_traceback(args: tuple, status: int) -> None:
    done = cli(*args, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == status and "Traceback" not in done.stderr
    assert (done.stdout + done.stderr).isascii()
    if args == ("show",):
        assert "delta_o1 = dE_total/dout_o1 * dout_o1/dnet_o1" in done.stdout


def test_a_chinese_windows_console_gets_chinese_and_ascii_mathematics() -> None:
    """GBK (code page 936, what Python writes to a pipe or file on a Chinese Windows) has the
    Chinese but not ∂ or −: the prose stays Chinese, the mathematics is spelled in ASCII."""
    done = subprocess.run(
        [sys.executable, "-m", "bpderive.cli", "show", "--lang", "zh"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "gbk"},
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == b""
    out = done.stdout.decode("gbk")
    assert "1. 前向传播" in out and "delta_o1 = dE_total/dout_o1 * dout_o1/dnet_o1" in out


class ClosedPipe:
    """A standard output whose reader has gone, failing as Windows may fail it: with ``EINVAL``
    instead of ``EPIPE`` (CPython issue 79935)."""

    encoding = "utf-8"

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, text: str) -> int:
        raise OSError(errno.EINVAL, "Invalid argument")

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self.fd


def test_on_windows_invalid_argument_from_a_closed_pipe_ends_the_output_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError, match="Invalid argument"):  # elsewhere a real error
            _write(ClosedPipe(fd), "text")
        monkeypatch.setattr(sys, "platform", "win32")
        with pytest.raises(SystemExit) as stop:
            _write(ClosedPipe(fd), "text")
        assert stop.value.code == 0
    finally:
        os.close(fd)


# ========================================================================================== files


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return save(tmp_path / "m.bpnet", NET, PARAMS)


@pytest.mark.parametrize(
    ("path", "match"),
    [("", r"^path: expected a file name, got ''"), (None, r"^path: expected a file name, got No")],
)
def test_save_and_load_refuse_an_empty_path(path: object, match: str) -> None:
    refused(lambda: save(path, NET, PARAMS), ValueError, match)
    refused(lambda: load(path), ValueError, match)


def test_save_refuses_a_directory_and_names_the_target_of_an_error(tmp_path: Path) -> None:
    refused(lambda: save(tmp_path, NET, PARAMS), ValueError, r"^path: expected a file name, got")
    target = tmp_path / "missing" / "m.bpnet"
    refused(lambda: save(target, NET, PARAMS), FileNotFoundError, f"^cannot save to {target}: ")


POSIX_MODES = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no permission bits")


@POSIX_MODES
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_usual_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        path = save(tmp_path / "m.bpnet", NET, PARAMS)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@POSIX_MODES
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_an_existing_file_keeps_its_permissions(saved: Path, mode: int) -> None:
    saved.chmod(mode)
    save(saved, NET, {k: v + 1 for k, v in PARAMS.items()})
    assert stat.S_IMODE(saved.stat().st_mode) == mode
    assert load(saved)[1]["b1"][0] == PARAMS["b1"][0] + 1


def test_a_symbolic_link_keeps_pointing_where_it_did(saved: Path) -> None:
    link = saved.with_name("link.bpnet")
    try:
        link.symlink_to(saved)
    except OSError as error:  # Windows, without the right to make links
        pytest.skip(f"cannot make a symbolic link here: {error}")
    save(link, NET, {k: v * 2 for k, v in PARAMS.items()})
    assert link.is_symlink() and link.resolve() == saved.resolve()
    assert load(saved)[1]["W1"][0, 0] == 2 * PARAMS["W1"][0, 0]


def test_a_killed_saves_temporary_file_is_removed_by_the_next_save(saved: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True)  # fmt: skip
    dead, alive = int(finished.stdout), os.getppid()
    orphan = saved.with_name(f"m.bpnet.{dead}.x1y2.bpnet.tmp")
    other = saved.with_name(f"m.bpnet.{alive}.x1y2.bpnet.tmp")  # a save still running
    orphan.write_bytes(b"PK half")
    other.write_bytes(b"PK half")
    save(saved, NET, PARAMS)
    assert not orphan.exists() and other.exists()


def test_a_file_named_like_a_temporary_one_without_a_process_id_is_left_alone(saved: Path) -> None:
    odd = [saved.with_name(f"m.bpnet.{pid}.x1y2.bpnet.tmp") for pid in ("²", "99999999999")]
    for path in odd:
        path.write_bytes(b"not ours")
    save(saved, NET, PARAMS)
    assert all(path.exists() for path in odd)


class Kernel32:
    """Windows' kernel32 as :func:`bpderive.persist._alive_on_windows` calls it, for processes
    ``{pid: exit code}`` (259, ``STILL_ACTIVE``, while running) or ``"denied"`` (another
    user's); any other pid does not exist."""

    def __init__(self, processes: dict[int, int | str]) -> None:
        self.processes, self.handles, self.error = processes, set(), 0

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int | None:
        assert (access, inherit) == (0x1000, False)  # PROCESS_QUERY_LIMITED_INFORMATION
        state = self.processes.get(pid)
        if state is None or state == "denied":
            self.error = 87 if state is None else 5  # INVALID_PARAMETER, ACCESS_DENIED
            return None
        self.handles.add(pid << 2)
        return pid << 2

    def GetExitCodeProcess(self, handle: int, code: object) -> int:
        code._obj.value = self.processes[handle >> 2]  # type: ignore[attr-defined]
        return 1

    def CloseHandle(self, handle: int) -> int:
        self.handles.remove(handle)
        return 1


def test_on_windows_a_process_is_asked_about_never_signalled(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows ``os.kill(pid, 0)`` ends the process: the orphans' owners are asked about
    through kernel32, and a save sets no permission bits (no ``os.fchmod`` before 3.13)."""
    kernel = Kernel32({11: 259, 12: 0, 13: "denied"})
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "kill", lambda *args: pytest.fail("os.kill ends a Windows process"))
    monkeypatch.delattr(os, "fchmod")
    monkeypatch.setattr(persist, "_kernel32", lambda: kernel)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: kernel.error, raising=False)
    for pid in (0, 11, 12, 13, 14):  # not a process id, running, exited, another user's, gone
        saved.with_name(f"m.bpnet.{pid}.x1y2.bpnet.tmp").write_bytes(b"PK half")
    save(saved, NET, {k: v * 2 for k, v in PARAMS.items()})
    left = sorted(p.name.removesuffix(".x1y2.bpnet.tmp") for p in saved.parent.iterdir())
    assert left == ["m.bpnet", "m.bpnet.0", "m.bpnet.11", "m.bpnet.13"]
    assert kernel.handles == set()
    assert load(saved)[1]["W1"][0, 0] == 2 * PARAMS["W1"][0, 0]


def test_a_kill_mid_write_leaves_the_old_file_and_the_next_save_cleans_up(saved: Path) -> None:
    """Killed as nothing can catch (SIGKILL; on Windows TerminateProcess)."""
    code = (
        "import time, numpy as np\n"
        "import bpderive.persist as p\n"
        "from bpderive import example\n"
        "def slow(handle, **arrays):\n"
        "    handle.write(b'PK partial'); handle.flush(); print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "p.np.savez = slow\n"
        f"p.save({str(saved)!r}, example().net, example().params)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    proc.kill()
    proc.wait()
    assert len(list(saved.parent.glob("m.bpnet.*.bpnet.tmp"))) == 1
    np.testing.assert_array_equal(load(saved)[1]["W1"], PARAMS["W1"])
    save(saved, NET, PARAMS)
    assert [p.name for p in saved.parent.iterdir()] == ["m.bpnet"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes in the file system")
def test_load_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bpnet"
    os.mkfifo(fifo)
    refused(lambda: load(fifo), ValueError, r"pipe.bpnet: not a regular file")


def test_load_refuses_a_directory(tmp_path: Path) -> None:
    refused(lambda: load(tmp_path), ValueError, r": not a regular file")


def write(path: Path, **arrays: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


META = {"__format__": np.array(FORMAT_TAG), "__spec__": np.array(json.dumps(NET.spec()))}


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        (np.array("1"), "'1'"),
        (np.array(1.9), "1.9"),
        (np.array("abc"), "'abc'"),
        (np.array(99), "99"),
        (np.array([1]), r"array\(\[1\]\)"),
    ],
    ids=["string_1", "float", "string", "unknown", "array"],
)
def test_a_version_is_an_integer_this_package_reads(
    tmp_path: Path, version: np.ndarray, shown: str
) -> None:
    path = tmp_path / "v.bpnet"
    write(path, **META, __version__=version, **PARAMS)
    refused(lambda: load(path), ValueError, rf"v.bpnet: format version {shown}, this bpderive")


def spec_file(tmp_path: Path, spec: str, **params: np.ndarray) -> Path:
    path = tmp_path / "s.bpnet"
    write(
        path,
        __format__=np.array(FORMAT_TAG),
        __version__=np.array(2),
        __spec__=np.array(spec),
        **(params or PARAMS),
    )
    return path


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("[" * 100_000, r"unreadable network spec \(RecursionError\)"),
        ("{" * 10, r"unreadable network spec \(JSONDecodeError\)"),
        (json.dumps({"sizes": [2, 10**9, 2]}), r"the stored spec's sizes: the 2-1000000000-2"),
        (json.dumps({"sizes": "2,3,2"}), r"the stored spec's sizes: expected a sequence"),
        (json.dumps([1, 2]), r"the stored spec's sizes: expected a sequence"),
        (" " * 1_000_001, r"a spec of 1,000,001 characters \(at most 1,000,000\)"),
    ],
    ids=["deep", "broken", "huge_sizes", "string_sizes", "not_a_mapping", "too_long"],
)
def test_a_spec_is_checked_before_anything_is_built(tmp_path: Path, spec: str, match: str) -> None:
    path = spec_file(tmp_path, spec)
    refused(lambda: load(path), ValueError, r"s.bpnet: " + match)


def crafted(tmp_path: Path, member: str, header: dict, payload: bytes = b"\0" * 16) -> Path:
    """An archive whose ``member`` has a hand-written .npy header over a few bytes of data."""
    path = tmp_path / "c.bpnet"
    arrays = {**META, "__version__": np.array(2), **PARAMS}
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in arrays.items():
            buffer = BytesIO()
            if name == member:
                np.lib.format.write_array_header_1_0(buffer, header)
                buffer.write(payload)
            else:
                np.save(buffer, value)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    return path


@pytest.mark.parametrize(
    ("member", "header", "match"),
    [
        (
            "W1",
            {"descr": "<f8", "fortran_order": False, "shape": (100000, 100000)},
            r"parameters \{'W1': \(100000, 100000\).* \(params\['W1'\]: expected shape \(3, 2\)",
        ),
        (
            "b1",
            {"descr": "<i8", "fortran_order": False, "shape": (3,)},
            r"b1 is stored as int64 numbers, expected floats",
        ),
        (
            "b1",
            {"descr": "|O", "fortran_order": False, "shape": (3,)},
            r"an array of Python objects \(never unpickled\)",
        ),
        (
            "b1",
            {"descr": "<f8", "fortran_order": False, "shape": (3,)},
            r"truncated or not a bpderive network file \(EOF: reading array data",
        ),
        (
            "__spec__",
            {"descr": "<U100000000", "fortran_order": False, "shape": ()},
            r"__spec__.npy claims \(\) <U100000000, more than the archive holds",
        ),
    ],
    ids=["huge_shape", "integers", "objects", "short_data", "huge_spec_claim"],
)
def test_each_members_header_is_checked_before_its_data_is_read(
    tmp_path: Path, member: str, header: dict, match: str
) -> None:
    payload = b"\0" * 8
    refused(lambda: load(crafted(tmp_path, member, header, payload)), ValueError, match)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc/self/fd to count in")
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_file_is_refused_and_closed(saved: Path, fraction: float) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * fraction)])
    before = len(os.listdir("/proc/self/fd"))
    refused(lambda: load(saved), ValueError, r"m.bpnet: truncated or not a bpderive network file")
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: np.save(p, np.ones(3)), r"\(a bare .npy array, not an .npz archive\)"),
        (lambda p: np.savez(p, W1=np.ones((3, 2))), r"not a bpderive network file \(no 'bpderive"),
        (lambda p: p.write_text("W1 = [[1, 2]]\n"), r"truncated or not a bpderive network file"),
    ],
    ids=["npy", "foreign_npz", "text"],
)
def test_foreign_files_are_refused(tmp_path: Path, make: Callable, match: str) -> None:
    path = tmp_path / "f.bpnet"
    with open(path, "wb") as handle:
        make(handle) if make.__code__.co_names[-1] != "write_text" else None
    if path.stat().st_size == 0:
        make(path)
    refused(lambda: load(path), ValueError, match)


def test_a_round_trip_after_all_that_is_still_exact(saved: Path) -> None:
    net, params = load(saved)
    assert net.spec() == NET.spec()
    for key, value in PARAMS.items():
        assert params[key].tobytes() == np.asarray(value, dtype=float).tobytes()
    assert math.isclose(
        net.compile().cost(params, *SAMPLE), NET.compile().cost(PARAMS, *SAMPLE), rel_tol=0
    )
