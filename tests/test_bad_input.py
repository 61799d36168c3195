"""Wrong input is refused with a ValueError (KeyError for an unknown name) whose message names the
argument and says what was expected; and no user string is ever parsed by SymPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bpderive import Network, example
from bpderive.symbolic.activations import leaky_relu

ACTIVATION_NAMES = [
    "logistic",
    "tanh",
    "linear",
    "relu",
    "softplus",
    "elu",
    "leaky_relu",
    "softmax",
]


@pytest.fixture(scope="module")
def net() -> Network:
    return Network()


@pytest.fixture(scope="module")
def good():
    ex = example()
    return ex.params, np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])


def message(info) -> str:
    return info.value.args[0]


# ----------------------------------------------------------------------------------- network


@pytest.mark.parametrize(
    "sizes",
    [
        0,
        -1,
        2.5,
        True,
        "2,3,2",
        3,
        (3,),
        (),
        (2, 0, 2),
        (2, -1, 2),
        (2, 2.5, 2),
        (2, True, 2),
        None,
    ],
    ids=repr,
)
def test_sizes_must_be_positive_integers(sizes):
    with pytest.raises(ValueError) as info:
        Network(sizes)
    text = message(info)
    assert text.startswith("sizes:") and "positive integers" in text and "(2, 3, 2)" in text


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        Network(activations="sigmoidal")
    text = message(info)
    assert text.startswith("activation") and "'sigmoidal'" in text
    for name in ACTIVATION_NAMES:
        assert name in text


@pytest.mark.parametrize("activations", [["tanh"], ("tanh", "tanh", "tanh"), None, 5])
def test_activations_must_be_one_name_or_one_per_layer(activations):
    with pytest.raises(ValueError) as info:
        Network(activations=activations)
    assert message(info).startswith("activations:") and "2 activations" in message(info)


@pytest.mark.parametrize("loss", ["l1", "MSE2", None, 3])
def test_unknown_loss_lists_the_valid_ones(loss):
    with pytest.raises(ValueError) as info:
        Network(loss=loss)
    text = message(info)
    assert text.startswith("loss:") and repr(loss) in text
    for name in ("half_sse", "mse", "cross_entropy"):
        assert name in text


@pytest.mark.parametrize(
    "sizes, activations",
    [
        ((2, 3, 2), ("softmax", "logistic")),
        ((2, 3, 2), "softmax"),
        ((2, 3, 3, 2), ("tanh", "softmax", "softmax")),
    ],
)
def test_softmax_only_on_the_output_layer(sizes, activations):
    with pytest.raises(ValueError) as info:
        Network(sizes, activations)
    assert "softmax" in message(info) and "output layer" in message(info)


def test_softmax_needs_two_outputs():
    with pytest.raises(ValueError) as info:
        Network((2, 3, 1), ("tanh", "softmax"))
    assert "softmax" in message(info) and "2 outputs" in message(info) and "got 1" in message(info)


@pytest.mark.parametrize("output", ["tanh", "linear", "relu", "softplus", "elu", "leaky_relu"])
def test_cross_entropy_needs_logistic_or_softmax_outputs(output):
    with pytest.raises(ValueError) as info:
        Network(activations=("logistic", output), loss="cross_entropy")
    text = message(info)
    assert text.startswith("loss:") and "cross_entropy" in text
    assert "outputs in (0, 1)" in text and f"the output activation {output!r} gives" in text
    assert text.endswith("an output activation that fits: logistic, softmax")


@pytest.mark.parametrize("slope", [1.0, -0.1, "0.1", True, float("nan")])
def test_leaky_relu_slope(slope):
    with pytest.raises(ValueError) as info:
        leaky_relu(slope)
    assert "slope" in message(info) and "[0, 1)" in message(info)


def test_example_is_only_for_the_articles_network():
    with pytest.raises(ValueError) as info:
        example(Network((3, 3, 2)))
    assert "2-3-2" in message(info) and "(3, 3, 2)" in message(info)


# ----------------------------------------------------------------------------------- names


def test_unknown_names_are_key_errors(net):
    with pytest.raises(KeyError) as info:
        net.gradient("w_(4,1)")
    assert "'w_(4,1)'" in message(info) and "w_(3,1)" in message(info)
    with pytest.raises(KeyError) as info:
        net.delta("x1")
    assert "'x1'" in message(info) and "input" in message(info)
    with pytest.raises(KeyError) as info:
        net.delta("o3")
    assert "'o3'" in message(info) and "o2" in message(info)
    with pytest.raises(KeyError):
        net.symbol("out_o3")
    with pytest.raises(KeyError):
        net.gradient(None)
    with pytest.raises(KeyError) as info:
        net.gradient("w5", of="E_o1 + 1")
    assert "'E_o1 + 1'" in message(info) and "E_total" in message(info)


def test_no_user_string_reaches_sympify(net):
    with pytest.raises(ValueError):
        Network(activations="__import__('os')")
    with pytest.raises(ValueError):
        Network(activations="exp(x)")  # would be a valid formula if it were parsed
    with pytest.raises(ValueError):
        Network(loss="__import__('os')")
    with pytest.raises(KeyError):
        net.gradient("w5; import os")
    with pytest.raises(KeyError):
        net.gradient("w_(1,1) + 0")
    with pytest.raises(KeyError):
        net.symbol("exp(1)")
    with pytest.raises(KeyError):
        net.delta("o1 + o2")
    with pytest.raises(ValueError):
        leaky_relu("1/4")


# ----------------------------------------------------------------------------------- numbers


def entry_points(net):
    """Every numeric entry point, called as (params, X, T)."""
    c = net.compile()
    return {
        "gradients": c.gradients,
        "cost": c.cost,
        "cost_and_gradients": c.cost_and_gradients,
        "forward": lambda params, X, T: c.forward(params, X),
        "evaluate": net.gradient("w5").evaluate,
    }


ENTRY_POINTS = ["gradients", "cost", "cost_and_gradients", "forward", "evaluate"]


def with_params(params, **changes):
    result = {k: np.array(v, copy=True) for k, v in params.items()}
    for key, value in changes.items():
        if value is None:
            del result[key]
        else:
            result[key] = value
    return result


W2_NAN = np.array([[0.4, np.nan, 0.5], [0.55, 0.6, 0.65]])
PARAM_CASES = {
    "missing key": (dict(b2=None), ["params", "missing key 'b2'", "W1, b1, W2, b2"]),
    "extra key": ("extra", ["params", "unexpected key 'W3'", "W1, b1, W2, b2"]),
    "wrong W shape": (dict(W1=np.zeros((2, 3))), ["params['W1']", "(3, 2)", "(2, 3)"]),
    "wrong b shape": (dict(b1=np.zeros((3, 1))), ["params['b1']", "(3,)", "(3, 1)"]),
    "string": (dict(b2="0.6, 0.65"), ["params['b2']", "expected numbers", "string"]),
    "strings": (dict(b2=np.array(["a", "b"])), ["params['b2']", "expected numbers"]),
    "nan": (dict(W2=W2_NAN), ["params['W2']", "NaN", "[0, 1]"]),
    "inf": (dict(b1=np.array([0.35, np.inf, 0.45])), ["params['b1']", "infinite", "[1]"]),
    "not a mapping": ("list", ["params", "mapping", "W1, b1, W2, b2"]),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", PARAM_CASES)
def test_bad_params(net, good, entry, case):
    params, X, T = good
    change, words = PARAM_CASES[case]
    if change == "extra":
        bad = {**params, "W3": np.zeros((2, 2))}
    elif change == "list":
        bad = list(params.values())
    else:
        bad = with_params(params, **change)
    with pytest.raises(ValueError) as info:
        entry_points(net)[entry](bad, X, T)
    for word in words:
        assert word in message(info)


@pytest.mark.parametrize("entry", ["gradients", "evaluate"])
def test_complex_params_are_refused(net, good, entry):
    """A complex entry is not a weight: casting it to float drops the imaginary part and goes on
    with a silently wrong number (NumPy only warns)."""
    params, X, T = good
    bad = with_params(params, b2=np.array([0.6 + 0.5j, 0.65]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            entry_points(net)[entry](bad, X, T)
    assert "params['b2']" in message(info)


ONE_X, ONE_T = np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]])
DATA_CASES = {
    "rows differ": (
        np.zeros((3, 2)),
        np.zeros((2, 2)),
        ["X and T", "same number of rows", "3 and 2"],
    ),
    "X columns": (np.zeros((3, 3)), np.zeros((3, 2)), ["X:", "(N, 2)", "(3, 3)"]),
    "T columns": (np.zeros((3, 2)), np.zeros((3, 3)), ["T:", "(N, 2)", "(3, 3)"]),
    "empty X": (np.zeros((0, 2)), np.zeros((0, 2)), ["X:", "N >= 1", "(0, 2)"]),
    "NaN in X": (np.array([[0.05, np.nan]]), ONE_T, ["X:", "NaN", "[0, 1]"]),
    "NaN in T": (ONE_X, np.array([[np.nan, 0.99]]), ["T:", "NaN", "[0, 0]"]),
    "inf in X": (np.array([[np.inf, 0.1]]), ONE_T, ["X:", "infinite"]),
    "3-D X": (np.zeros((1, 1, 2)), np.zeros((1, 2)), ["X:", "(N, 2)", "(1, 1, 2)"]),
    "string X": ("0.05, 0.1", ONE_T, ["X:", "expected numbers"]),
}
# forward takes no targets, so only the cases that are wrong in X apply to it
DATA_PAIRS = [
    (entry, case)
    for case, (_, _, words) in DATA_CASES.items()
    for entry in ENTRY_POINTS
    if entry != "forward" or words[0] == "X:"
]


# ChainRule.evaluate(params, x, target) takes one sample and names its own arguments
EVALUATE_WORDS = {"X:": "x:", "T:": "target:"}
EVALUATE_ROWS_DIFFER = ["x:", "expected one sample", "3 rows"]


@pytest.mark.parametrize("entry, case", DATA_PAIRS)
def test_bad_data(net, good, entry, case):
    params, _, _ = good
    X, T, words = DATA_CASES[case]
    if entry == "evaluate":
        words = [EVALUATE_WORDS.get(w, w) for w in words]
        if case == "rows differ":
            words = EVALUATE_ROWS_DIFFER
    with pytest.raises(ValueError) as info:
        entry_points(net)[entry](params, X, T)
    for word in words:
        assert word in message(info)


def test_evaluate_takes_one_sample(net, good):
    params, _, _ = good
    with pytest.raises(ValueError) as info:
        net.gradient("w5").evaluate(params, np.zeros((2, 2)), np.zeros((2, 2)))
    text = message(info)
    assert text.startswith("x:") and "one sample" in text and "2 rows" in text
    with pytest.raises(ValueError):
        net.environment(params, np.zeros((2, 2)), np.zeros((2, 2)))


def test_numpy_integer_sizes_are_accepted():
    """``np.int64(3)`` is a positive integer: refusing it says "expected positive integers, got
    (np.int64(2), 3, 2)", which contradicts itself. Sizes computed with NumPy (a data set's
    ``X.shape[1]`` is an int, but ``np.arange`` or ``np.argmax`` give NumPy integers) must work."""
    net = Network((np.int64(2), np.int32(3), 2))
    assert net.sizes == (2, 3, 2) and all(type(s) is int for s in net.sizes)
