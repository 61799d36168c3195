"""Limits bound what is expensive, not what is big (:mod:`bpderive.limits`).

The numeric path takes large networks: they build, compile and give gradients that central
finite differences confirm. What walks every parameter or unit symbolically is refused, and
each refusal names the call, the limit and the size given. The sizes refused here are far
past their limits, measured on smaller sizes on the development machine (2 cores): the times
quoted in each test's docstring are those measurements, not asserted (speed is measured in
``python -m bpderive.bench compile``)."""

from __future__ import annotations

import numpy as np
import pytest

from bpderive import Network, train
from bpderive.limits import LimitError

BIG = {
    "784-256-10": ((784, 256, 10), ("logistic", "softmax"), "cross_entropy"),
    "784-512-256-10": ((784, 512, 256, 10), ("tanh", "tanh", "softmax"), "cross_entropy"),
    "2-10000-2": ((2, 10_000, 2), "logistic", "half_sse"),
}


@pytest.fixture(scope="module")
def mnist_sized() -> Network:
    return Network(*BIG["784-512-256-10"])


@pytest.mark.parametrize("name", BIG)
def test_a_big_network_compiles_and_its_gradient_matches_finite_differences(name: str) -> None:
    """A few random parameters of each, by central differences of the compiled cost (all
    200,000 would take minutes, and any one of them checks the whole backward pass below it)."""
    sizes, activations, loss = BIG[name]
    net = Network(sizes, activations, loss)
    compiled = net.compile()
    rng = np.random.default_rng(20)
    params = {k: rng.normal(0, 0.1, shape) for k, shape in net.parameter_shapes.items()}
    X = rng.normal(size=(8, sizes[0]))
    T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 8)]
    grads = compiled.gradients(params, X, T)
    h = 1e-6
    for key in params:
        for _ in range(2):
            index = tuple(int(rng.integers(0, n)) for n in params[key].shape)
            old = params[key][index]
            params[key][index] = old + h
            up = compiled.cost(params, X, T)
            params[key][index] = old - h
            down = compiled.cost(params, X, T)
            params[key][index] = old
            assert grads[key][index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_compiling_a_big_network_makes_few_parameters() -> None:
    """Of 535,818 parameters, compiling looks at those into the first and last unit of each
    hidden layer (checking the order of the weighted sums) and at most every output unit: the
    table makes a parameter only when it is looked up (one object for each took 1.5 s)."""
    net = Network(*BIG["784-512-256-10"])
    net.compile()
    made = net.parameters._made  # noqa: SLF001 - what was made is the point of the test
    assert len(net.parameters) == 535_818
    assert len(made) <= 2 * (784 + 1) + 2 * (512 + 1) + 10 * (256 + 1)


def test_the_parameter_table_names_every_parameter_once_in_layout_order() -> None:
    net = Network((3, 4, 5, 2))
    names = list(net.parameters)
    assert len(names) == len(set(names)) == len(net.parameters) == 3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2
    places = [(net.parameters[n].key, net.parameters[n].index) for n in names]
    expected = [
        (key, index) for key, shape in net.parameter_shapes.items() for index in np.ndindex(*shape)
    ]
    assert places == expected
    assert names[:2] == ["w(1)_(x1,1)", "w(1)_(x2,1)"] and names[-1] == "b11"
    for stranger in ("w(1)_(x01,1)", "w_(x1,1)", "w(2)_(x1,1)", "w(1)_(x4,1)", "b0", "b12", 5):
        assert stranger not in net.parameters


def test_looking_up_one_symbol_of_a_big_network_makes_no_others(mnist_sized: Network) -> None:
    assert mnist_sized.symbol("w(3)_(256,10)").name == "w(3)_(256,10)"
    assert mnist_sized.symbol("out_o10").name == "out_o10"
    with pytest.raises(KeyError, match=r"Valid names: .* and the parameters \(net.parameter"):
        mnist_sized.symbol("w(4)_(1,1)")


#: Every call that works on each parameter of 784-512-256-10, with its limit. Times measured
#: on 20-50-10 (1,560 parameters): chains() 1.0 s, prove_backward() 1.2 s, environment()
#: 0.29 s, backward() 0.09 s, symbols 0.02 s, forward_equations 0.03 s, matrices() 0.02 s,
#: the expansion's sizes 0.04 s; so on 535,818 parameters they would take from 7 s
#: (symbols) to 7 minutes (the proof).
EVERY_PARAMETER = {
    "chains()": (lambda net: net.chains(), "5,000"),
    "prove_backward()": (lambda net: net.prove_backward(), "5,000"),
    "backward()": (lambda net: net.backward(), "20,000"),
    "environment()": (
        lambda net: net.gradient("b769").evaluate(
            {k: np.zeros(s) for k, s in net.parameter_shapes.items()}, np.zeros(784), np.eye(10)[0]
        ),
        "20,000",
    ),
    "matrices()": (lambda net: net.matrices(), "100,000"),
    "symbols": (lambda net: net.symbols, "100,000"),
    "name_table()": (lambda net: net.name_table(), "100,000"),
    "forward_equations": (lambda net: net.forward_equations, "100,000"),
    "expand()": (lambda net: net.expand(net.symbol("out_o1")), "100,000"),
    "expansion": (lambda net: net.expansion, "100,000"),
}


@pytest.mark.parametrize("call", EVERY_PARAMETER)
def test_symbolic_work_on_every_parameter_is_refused(mnist_sized: Network, call: str) -> None:
    work, limit = EVERY_PARAMETER[call]
    what = call.replace("(", r"\(").replace(")", r"\)")
    match = rf"^net: {what}.* each of 535,818 parameters, and bpderive does so for at most {limit} "
    with pytest.raises(LimitError, match=match):
        work(mnist_sized)


def test_a_chain_is_refused_by_the_connections_above_its_unit(mnist_sized: Network) -> None:
    """The δ of a first-layer unit of 784-512-256-10 collects 512·256 + 256·10 = 133,632
    connections; on 5-200-5 (1,000 above h1) ``delta('h1')`` took 0.06 s, on 20-200-10 a
    first-layer gradient 0.16 s for 2,000: so 133,632 would take 10 to 15 s. The last hidden
    layer's 2,560 are derived."""
    match = r"^net: gradient\('w\(1\)_\(x1,1\)'\) .* each of 133,632 connections above h1_1, .*"
    with pytest.raises(LimitError, match=match + r"at most 25,000"):
        mnist_sized.gradient("w(1)_(x1,1)")
    with pytest.raises(LimitError, match=r"^net: delta\('h1_5'\) .* 133,632 connections"):
        mnist_sized.delta("h1_5")
    with pytest.raises(LimitError, match=r"^net: delta_rule\('h1_5'\) .* 131,072 connections"):
        mnist_sized.delta_rule("h1_5")
    assert mnist_sized.gradient("w(2)_(1,1)").parameter.name == "w(2)_(1,1)"
    assert mnist_sized.delta_rule("h2_1").lhs.name == "delta_h2_1"


def test_a_wide_softmax_output_is_refused_up_front() -> None:
    """Its Jacobian is derived entry by entry: 15 outputs (225 entries) took 1.45 s to
    compile, so 30 (900) would take about 6 s and 100 over a minute."""
    with pytest.raises(LimitError, match=r"^activations: a softmax output of 30 units .* 25 "):
        Network((4, 3, 30), ("logistic", "softmax"), "cross_entropy")
    Network((4, 3, 25), ("logistic", "softmax"), "cross_entropy")


def test_a_jacobian_beyond_memory_is_refused_before_it_is_made() -> None:
    """200 samples × 10 outputs × 201,110 parameters of 8 bytes are 3.0 GiB, and the SVD of
    Levenberg–Marquardt needs as much again."""
    net = Network((2000, 100, 10))
    params = {k: np.zeros(s) for k, s in net.parameter_shapes.items()}
    X, T = np.zeros((200, 2000)), np.full((200, 10), 0.5)
    match = r"^X: Levenberg–Marquardt's Jacobian for these 2,000 errors .* 201,110 parameters "
    match += r"would take 3\.0 GiB, and bpderive allocates at most 2 GiB"
    with pytest.raises(LimitError, match=match):
        net.compile().jacobian(params, X, T)
    with pytest.raises(LimitError, match=match):
        train(net, X, T, params=params, algorithm="lm", epochs=1)
    assert net.compile().jacobian(params, X[:2], T[:2]).shape == (20, 201_110)
