"""What the symbolic layer says to a learner, in English and Chinese, in one place a translator
reads: the built-in activations' and losses' one-line descriptions, the words of a piecewise
function (ReLU's derivative), the matrix-form proof's summary, and the errors a notebook shows on
purpose as a lesson (an unknown parameter name, a loss that is not defined on the output
activation's range).

Each text is an ``(English, Chinese)`` pair of ``str.format`` templates
(:func:`bpderive.language.pick` chooses one); the English is what bpderive has always printed.
The Chinese follows the article's terms (``notebooks/zh/STYLE.md``): 权值, 阈值, 神经元,
激活函数, 损失函数, 误差, 梯度, 链式法则.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from bpderive.language import pick

#: The built-in activations' descriptions (:attr:`Activation.description`), each handed to its
#: own object (only an activation's object knows its name).
LOGISTIC = (
    "logistic sigmoid 1/(1 + e^-net), range (0, 1) (MATLAB logsig)",
    "logistic 函数（Sigmoid）1/(1 + e^-net)，值域 (0, 1)（MATLAB 的 logsig）",
)
TANH = (
    "hyperbolic tangent, range (-1, 1), zero-centred (MATLAB tansig)",
    "双曲正切函数，值域 (-1, 1)，以 0 为中心（MATLAB 的 tansig）",
)
LINEAR = (
    "identity net, for function-approximation outputs (MATLAB purelin)",
    "恒等函数 net，用于函数逼近的输出层（MATLAB 的 purelin）",
)
RELU = (
    "rectified linear max(0, net)",
    "线性整流函数 max(0, net)",
)
SOFTPLUS = (
    "softplus log(1 + e^net), a smooth ReLU",
    "softplus 函数 log(1 + e^net)，平滑的 ReLU",
)
ELU = (
    "exponential linear unit: net for net > 0, α(e^net − 1) otherwise (α = 1)",
    "指数线性单元（ELU）：net > 0 时为 net，否则为 α(e^net − 1)（α = 1）",
)
LEAKY_RELU = (
    "leaky ReLU: net for net > 0, a·net otherwise, a fixed slope a = 0.25 (PReLU's start "
    "value, after He et al.; PReLU then learns a)",
    "带泄漏的 ReLU：net > 0 时为 net，否则为 a·net，斜率 a = 0.25 固定不变（取 PReLU 的初始值，"
    "见 He 等人的论文；PReLU 再去学习 a）",
)
SOFTMAX = (
    "softmax: e^{net_k} / Σ_j e^{net_j}, output layer only",
    "softmax 函数：e^{net_k} / Σ_j e^{net_j}，只用于输出层",
)

#: :func:`~bpderive.symbolic.activations.leaky_relu` with a slope of the learner's choosing.
LEAKY_RELU_SLOPE = (
    "leaky ReLU with a fixed slope a = {slope} for net <= 0",
    "带泄漏的 ReLU，net <= 0 时斜率 a = {slope} 固定不变",
)

#: What a user-defined activation or loss is called when its maker gave no description.
USER_DEFINED = ("user-defined: {formula}", "自定义：{formula}")

#: The built-in losses' descriptions (:attr:`Loss.description`); ``CATEGORICAL`` is
#: cross-entropy's form on a softmax output.
HALF_SSE = (
    "E_total = 1/2 Σ_k (target_k - out_k)^2, the article's (Widrow-Hoff)",
    "E_total = 1/2 Σ_k (target_k - out_k)^2，文章用的误差（Widrow-Hoff）",
)
MSE = (
    "E_total = 1/m Σ_k (target_k - out_k)^2, the mean over outputs (MATLAB's mse)",
    "E_total = 1/m Σ_k (target_k - out_k)^2，对各输出取平均（MATLAB 的 mse）",
)
CROSS_ENTROPY = (
    "binary cross-entropy with logistic outputs, categorical with softmax; "
    "cancels the activation's derivative in δ",
    "logistic 输出时为二元交叉熵，softmax 输出时为多类交叉熵；δ 中激活函数的导数被消去",
)
CATEGORICAL = (
    "categorical cross-entropy −Σ_k target_k·log(out_k), for a softmax output",
    "多类交叉熵 −Σ_k target_k·log(out_k)，用于 softmax 输出层",
)

#: A loss whose formula is not defined on the outputs the output activation gives (a lesson in
#: notebook 05): ``{found}`` is one of the two ``RANGE_*`` texts.
LOSS_MISMATCH = (
    "loss: {loss!r} is defined for outputs in {domain}, but {found}; an output activation that "
    "fits: {fits}",
    "loss：损失函数 “{loss}” 只对 {domain} 内的输出有定义，{found}；适合它的输出层激活函数：{fits}",
)
RANGE_UNKNOWN = (
    "SymPy cannot find the range of the output activation {activation!r}",
    "但 SymPy 求不出输出层激活函数 “{activation}” 的值域",
)
RANGE_GIVEN = (
    "the output activation {activation!r} gives {range}",
    "但输出层激活函数 “{activation}” 的值域是 {range}",
)

#: A parameter name the network does not have (:meth:`NetworkStructure.resolve`, shown in
#: notebook 01); ``{hint}`` is empty or the two hints below.
UNKNOWN_PARAMETER = (
    "unknown parameter {name!r}.{hint} Valid names: {valid}",
    "没有名为 “{name}” 的参数。{hint}有效的名称：{valid}",
)
FLAT_NAMES = (
    " The article's flat names are only w1 (x1→h1) and w5, w6, w7 (h1, h2, h3→o1) on its 2-3-2 "
    "network: the numbering cannot be completed without a clash (Mazur's w1 … w8 name every "
    "weight of his 2-2-2 network).",
    "文章的单下标名称只有 w1（x1→h1）和 w5、w6、w7（h1、h2、h3→o1），用在它的 2-3-2 网络上："
    "这种编号无法补全而不出现冲突（Mazur 的 w1 … w8 给他的 2-2-2 网络的每个权值编号）。",
)
MATRIX_KEY = (
    " ({name!r} is a key of the parameter mapping, a whole matrix.)",
    "（“{name}” 是参数字典的键，代表整个矩阵。）",
)

#: What :meth:`Network.prove_backward` proved (notebook 03).
PROOF = (
    "the four equations give back all {deltas} δ and all {gradients} gradients of the scalar "
    "chains (each difference simplifies to 0)",
    "四个方程给出的全部 {deltas} 个 δ 和全部 {gradients} 个梯度，都与逐个标量按链式法则求出的"
    "结果相同（每个差都化简为 0）",
)

#: The words of a piecewise function (ReLU's derivative): in LaTeX, SymPy's ``\\text{for}`` and
#: ``\\text{otherwise}``; as Chinese text ``分段(当 net <= 0 时为 0；其他情况为 1)`` (the English
#: text stays SymPy's own, ``Piecewise((0, net <= 0), (1, True))``).
WHEN = ("for", "当")
OTHERWISE = ("otherwise", "其他情况")
PIECEWISE_ZH = ("分段({pieces})", "当 {condition} 时为 {value}", "其他情况为 {value}", "；")

#: How a list of names is joined in each language: the Chinese enumeration comma separates
#: names such as ``w_(x1,1)`` that hold a comma of their own.
LIST_SEPARATOR = (", ", "、")


def piecewise(branches: Sequence[tuple[sp.Expr, sp.Basic]], show: Callable[..., str]) -> str:
    """A piecewise function's ``(value, condition)`` branches as Chinese text, each part printed
    by ``show``; a condition ``Eq(out, 0)`` reads ``out = 0``."""
    whole, when, otherwise, separator = PIECEWISE_ZH
    parts = []
    for value, condition in branches:
        if condition == sp.true:
            parts.append(otherwise.format(value=show(value)))
            continue
        equal = isinstance(condition, sp.Equality)
        shown = f"{show(condition.lhs)} = {show(condition.rhs)}" if equal else show(condition)
        parts.append(when.format(value=show(value), condition=shown))
    return whole.format(pieces=separator.join(parts))


def filled(pair: tuple[str, str], **fields: object) -> tuple[str, str]:
    """Both templates of ``pair`` with ``fields`` filled in, for a text made once and read later
    in whichever language is then in use (an activation's description)."""
    return (pair[0].format(**fields), pair[1].format(**fields))


def user_defined(formula: object) -> tuple[str, str]:
    """The description of an activation or loss whose maker gave none: its formula."""
    return filled(USER_DEFINED, formula=formula)


def in_use(about: str | tuple[str, str]) -> str:
    """A description in the language in use: bpderive's own ``(English, Chinese)`` pair, or a
    user's words as they wrote them (bpderive does not translate those)."""
    return about if isinstance(about, str) else pick(about)


def saved(about: str | tuple[str, str]) -> str:
    """The description a saved network records: a user's words, or bpderive's English, so that
    a saved file reads the same whatever the language of the session that wrote it."""
    return about if isinstance(about, str) else about[0]


#: ``description`` of an activation or a loss: its ``about`` (the description as given: a pair
#: for bpderive's own, a user's words as written) read in the language in use, so that
#: ``print(act.description)`` in the Chinese edition prints Chinese.
DESCRIPTION = property(
    lambda obj: in_use(obj.about), doc="The one-line description, in the language in use."
)
