"""What the symbolic layer tells a learner follows the language in use: the errors the notebooks
show as lessons (an unknown parameter name in 01, a loss the output activation does not fit in
05), the matrix-form proof's summary (03) and the activations' and losses' descriptions (05).
Each in English as it always was, and in Chinese once the language is Chinese."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from bpderive import Activation, Loss, Network, set_language
from bpderive.symbolic.activations import ACTIVATIONS, leaky_relu
from bpderive.symbolic.losses import LOSSES
from bpderive.symbolic.notation import latex, text

ARTICLE = Network()
CHINESE = re.compile("[\u4e00-\u9fff]")


#: The article's network's parameter names, as the error lists them.
NAMES = ["w1", "w5", "w6", "w7", *(f"w_(x{i},{j})" for j in (1, 2, 3) for i in (1, 2))]
NAMES += ["b1", "b2", "b3", *(f"w_({j},{k})" for k in (1, 2) for j in (1, 2, 3)), "b4", "b5"]


def test_an_unknown_parameter_is_explained_in_the_learners_language():
    with pytest.raises(KeyError) as english:
        ARTICLE.resolve("w2")
    assert english.value.args[0].startswith(
        "unknown parameter 'w2'. The article's flat names are only w1 (x1→h1) and w5, w6, w7"
    )
    assert english.value.args[0].endswith(f"network). Valid names: {', '.join(NAMES)}")
    set_language("zh")
    with pytest.raises(KeyError) as chinese:
        ARTICLE.resolve("w2")
    message = chinese.value.args[0]
    assert message.startswith("没有名为 “w2” 的参数。文章的单下标名称只有 w1（x1→h1）和 w5、w6、w7")
    assert message.endswith(f"每个权值编号）。有效的名称：{'、'.join(NAMES)}")
    with pytest.raises(KeyError, match="（“W1” 是参数字典的键，代表整个矩阵。）"):
        ARTICLE.resolve("W1")
    with pytest.raises(KeyError, match=r"^'没有名为 “w_\(9,9\)” 的参数。有效的名称：w1、w5、"):
        ARTICLE.resolve("w_(9,9)")


def test_the_proof_of_the_four_equations_is_summed_up_in_the_learners_language():
    proof = ARTICLE.prove_backward()
    assert repr(proof) == (
        "the four equations give back all 5 δ and all 17 gradients of the scalar chains (each "
        "difference simplifies to 0)"
    )
    set_language("zh")
    assert repr(proof) == (
        "四个方程给出的全部 5 个 δ 和全部 17 个梯度，都与逐个标量按链式法则求出的结果相同"
        "（每个差都化简为 0）"
    )


def test_a_loss_that_does_not_fit_the_output_is_refused_in_the_learners_language():
    with pytest.raises(ValueError) as english:
        Network(activations="tanh", loss="cross_entropy")
    assert str(english.value) == (
        "loss: 'cross_entropy' is defined for outputs in (0, 1), but the output activation "
        "'tanh' gives (−1, 1); an output activation that fits: logistic, softmax"
    )
    set_language("zh")
    with pytest.raises(ValueError) as chinese:
        Network(activations="tanh", loss="cross_entropy")
    assert str(chinese.value) == (
        "loss：损失函数 “cross_entropy” 只对 (0, 1) 内的输出有定义，但输出层激活函数 “tanh” "
        "的值域是 (−1, 1)；适合它的输出层激活函数：logistic、softmax"
    )
    nats = Loss.define("nats", lambda o, t: -t * sp.log(o) - (1 - t) * sp.log(1 - o))
    swish = Activation.define("swish", lambda x: x / (1 + sp.exp(-x)))
    with pytest.raises(
        ValueError, match=r"^loss：损失函数 “nats” .*，但 SymPy 求不出输出层激活函数 “swish”"
    ):
        Network((2, 3, 1), ("tanh", swish), nats)


def test_descriptions_follow_the_language_and_a_saved_file_stays_english():
    english = {name: a.description for name, a in ACTIVATIONS.items()}
    assert english["logistic"] == "logistic sigmoid 1/(1 + e^-net), range (0, 1) (MATLAB logsig)"
    assert english["softmax"] == "softmax: e^{net_k} / Σ_j e^{net_j}, output layer only"
    assert LOSSES["half_sse"].description.endswith("the article's (Widrow-Hoff)")
    slope = leaky_relu(0.2)
    swish = Activation.define("swish", lambda net: net / (1 + sp.exp(-net)))
    mine = Activation.define("mine", lambda net: net, description="my own words")
    assert swish.description == "user-defined: net/(1 + exp(-net))"
    set_language("zh")
    for name, activation in ACTIVATIONS.items():
        assert CHINESE.search(activation.description), name
        assert activation.description != english[name]
    assert ACTIVATIONS["tanh"].description == (
        "双曲正切函数，值域 (-1, 1)，以 0 为中心（MATLAB 的 tansig）"
    )
    losses = [*LOSSES.values(), LOSSES["cross_entropy"].for_distribution]
    assert all(CHINESE.search(loss.description) for loss in losses)
    assert slope.description == "带泄漏的 ReLU，net <= 0 时斜率 a = 0.2 固定不变"
    assert swish.description == "自定义：net/(1 + exp(-net))"
    assert mine.description == "my own words"  # a user's words are not translated
    assert swish.spec()["description"] == "user-defined: net/(1 + exp(-net))"
    assert slope.spec()["description"] == "leaky ReLU with a fixed slope a = 0.2 for net <= 0"


def test_a_piecewise_function_is_written_in_the_learners_language():
    """ReLU's derivative: SymPy's own form in English, as always; words in Chinese (the LaTeX
    a notebook renders says "for" and "otherwise" otherwise)."""
    relu = ACTIVATIONS["relu"]
    assert text(relu.derivative_in_output) == "Piecewise((0, Eq(out, 0)), (1, True))"
    assert latex(relu.derivative) == (
        r"\begin{cases} 0 & \text{for}\: net \leq 0 \\1 & \text{otherwise} \end{cases}"
    )
    set_language("zh")
    assert text(relu.derivative_in_output) == "分段(当 out = 0 时为 0；其他情况为 1)"
    assert text(relu.formula) == "分段(当 net <= 0 时为 0；其他情况为 net)"
    assert latex(relu.derivative) == (
        r"\begin{cases} 0 & \text{当}\: net \leq 0 \\1 & \text{其他情况} \end{cases}"
    )
