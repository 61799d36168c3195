"""What the tutor says: the short verdicts and the hints that lead to the answer, in English and
Chinese.

A tutor does not give the answer away at once. A verdict's message says *what* is wrong and
*where* (which factor, which path), without the expected expression; its hints then go from
least to most specific, as tutoring systems do: first where to look, then the rule to apply (the
local equation to differentiate, or the chain rule's sum over paths), and last the "bottom-out"
hint, the expected expression with its number. ``check(..., reveal=True)`` gives the full
message at once.

Each text is an ``(English, Chinese)`` pair of ``str.format`` templates, as in
:mod:`bpderive.exercises.messages`; the Chinese follows ``notebooks/zh/STYLE.md``.
"""

from __future__ import annotations

#: The default messages of the mistakes that have a located cause: what and where, no answer.
SHORT: dict[str, tuple[str, str]] = {
    "sign": (
        "The sign of your whole answer is wrong: {target} is {expected_value} at {where}, your "
        "answer gives {given_value}.",
        "整个答案的符号错了：{where}下 {target} = {expected_value}，你的答案是 {given_value}。",
    ),
    "sign_in": (
        "The sign of {item} is wrong{path}: you wrote {given} ({given_value} at {where}).",
        "{item} 的符号错了{path}：你写的是 {given}（{where}下为 {given_value}）。",
    ),
    "sign_path": (
        "The sign of your term for the path through {unit} is wrong.",
        "你写的经过 {unit} 的那条路径的项，符号错了。",
    ),
    "constant_factor": (
        "Your answer is {ratio} times {target} ({expected_value} expected, {given_value} given at "
        "{where}).",
        "你的答案是 {target} 的 {ratio} 倍"
        "（{where}下应为 {expected_value}，你的是 {given_value}）。",
    ),
    "missing_factor": (
        "A factor of the chain rule is missing{path}: {item}.",
        "链式法则少了一个因子{path}：{item}。",
    ),
    "wrong_factor": (
        "{item} is wrong{path}: you wrote {given} ({expected_value} expected, {given_value} given "
        "at {where}).",
        "{item} 错了{path}：你写的是 {given}"
        "（{where}下应为 {expected_value}，你的是 {given_value}）。",
    ),
    "missing_path": (
        "The path through {unit} is missing: {item}.",
        "缺少经过 {unit} 的那条路径：{item}。",
    ),
}

#: The full message of a path's term with the wrong sign (``reveal=True``).
SIGN_PATH = (
    "The sign of your term for the path through {unit} is wrong: {item} = {expected}, "
    "{expected_value} at {where}.",
    "你写的经过 {unit} 的那条路径的项，符号错了："
    "{item} = {expected}，{where}下为 {expected_value}。",
)
#: The full message of several missing paths (``reveal=True``), and its short form.
MISSING_PATHS = (
    "The paths through {units} are missing: {terms}. A unit's output reaches the error through "
    "every unit it feeds, and the chain rule adds one term per path.",
    "缺少经过 {units} 的路径：{terms}。一个神经元的输出经过它连接的每个神经元影响误差，"
    "链式法则对每条路径各加一项。",
)
MISSING_PATHS_SHORT = (
    "The paths through {units} are missing.",
    "缺少经过 {units} 的路径。",
)
#: How a list of units is joined in a sentence: "o1 and o2", "h2_1, h2_2 and h2_3" (in Chinese
#: "h2_1、h2_2 和 h2_3": a space between Chinese and Latin text).
AND = (" and ", " 和 ")

#: A hint, as the verdict shows it, and how to ask for the next one.
HINT = ("Hint {k} of {n}: {text}", "提示 {k}/{n}：{text}")
NEXT = ("Next hint: {ask}.", "下一条提示：{ask}。")
#: How a notebook asks for hint ``k``: the verdict's method.
ASK_HINT = "`.hint({k})`"

#: The hints, from where to look to the rule to apply; the last is always :data:`BOTTOM`.
HINTS: dict[str, tuple[str, str]] = {
    "where_factor": (
        "The chain is {target} = {chain}. Look at {item}{path}.",
        "链式法则：{target} = {chain}。请看 {item}{path}。",
    ),
    "where_missing": (
        "The chain is {target} = {chain}. Your answer has nothing for {item}{path}.",
        "链式法则：{target} = {chain}。你的答案里没有 {item}{path} 这个因子。",
    ),
    "where_path": (
        "{source} reaches the error through {units}. Your answer has no term for the path "
        "through {unit}.",
        "{source} 经过 {units} 影响误差。你的答案里没有经过 {unit} 的那一项。",
    ),
    "where_paths": (
        "{source} reaches the error through {units}. Your answer has no term for the paths "
        "through {missing}.",
        "{source} 经过 {units} 影响误差。你的答案里没有经过 {missing} 的那些项。",
    ),
    "where_sign_path": (
        "Every factor of the path through {unit} has the right size; only the sign of its term "
        "is off.",
        "经过 {unit} 的那条路径的每个因子大小都对，只是这一项的符号反了。",
    ),
    "where_sign": (
        "Every factor has the right size; only the sign of the whole is off. A minus sign comes "
        "from an inner derivative: check the sign of each factor of {target} = {chain}.",
        "每个因子的大小都对，只是整体的符号反了。负号来自内层函数的导数："
        "逐个检查 {target} = {chain} 中每个因子的符号。",
    ),
    "where_constant": (
        "Every factor is there, but your answer is {ratio} times {target}: look for a constant "
        "that should not be there, or one that is missing.",
        "每个因子都在，但你的答案是 {target} 的 {ratio} 倍：找一找多出来或漏掉的常数。",
    ),
    "rule_factor": (
        "{item} is the derivative of {top}'s local equation, {equation}, with respect to {bottom}.",
        "{item} 是 {top} 的局部公式 {equation} 对 {bottom} 求导。",
    ),
    "rule_sum": (
        "The chain rule adds one term per path: {item} = {paths}.",
        "链式法则对每条路径各加一项：{item} = {paths}。",
    ),
    "rule_path": (
        "A path is the product of its local derivatives: {item} = {chain}.",
        "一条路径是它的各个局部导数的乘积：{item} = {chain}。",
    ),
    "rule_constant": (
        "No local derivative brings a constant of its own here: compare each factor of "
        "{target} = {chain} with the derivative of its local equation.",
        "这里没有哪个局部导数会带来额外的常数：把 {target} = {chain} 的每个因子和它的局部公式的"
        "导数逐个比较。",
    ),
    "haykin": (
        "Some books (Haykin) define δ = −∂E/∂net; bpderive and the article use δ = ∂E/∂net, so "
        "∂E/∂w is +δ times the input that w multiplies.",
        "有些书（如 Haykin）把 δ 定义为 −∂E/∂net；bpderive 和文章都用 δ = ∂E/∂net，"
        "所以 ∂E/∂w 等于 +δ 乘以 w 所乘的那个输入。",
    ),
}
#: The bottom-out hint: the expected expression with its number.
BOTTOM = (
    "{item} = {expected}, {expected_value} at {where}.",
    "{item} = {expected}，{where}下为 {expected_value}。",
)

#: The mistakes a tutor sees in what students really type.
NEW: dict[str, tuple[str, str]] = {
    "learning_rate": (
        "{name} is a learning rate: it belongs to the update rule {update}, not to {target}. "
        "Leave the update out and write {target} alone.",
        "{name} 是学习率：它属于更新规则 {update}，而不属于 {target}。"
        "请去掉更新的部分，只写 {target}。",
    ),
    "update_left": (
        "Your left side, {name}, is an updated parameter: the update rule {update} uses "
        "{target}, and the exercise asks for {target} itself.",
        "你的左边 {name} 是更新后的参数：更新规则 {update} 用到 {target}，"
        "而题目要的是 {target} 本身。",
    ),
    "wrong_target": (
        "Your left side is {left}, but the exercise asks for {target}.",
        "你的左边是 {left}，但题目要的是 {target}。",
    ),
    "right_side_right": (
        " Your right side is right for {target}: only the left side names another quantity.",
        "你的右边对 {target} 是正确的，只是左边写成了另一个量。",
    ),
    "number_equal": (
        "A formula is asked, not a number. Your {given} is {target} at {where} ({expected_value}) "
        "to the digits you typed: now write the formula that gives it.",
        "题目要的是公式，不是数值。你的 {given} 在你写出的位数内等于{where}下的 {target}"
        "（{expected_value}）：现在写出得到它的公式。",
    ),
    "number_differs": (
        "A formula is asked, not a number; and {given} is not {target} at {where}, which is "
        "{expected_value}.",
        "题目要的是公式，不是数值；而且 {given} 也不等于{where}下的 {target}"
        "（应为 {expected_value}）。",
    ),
    "number": (
        "A formula is asked, not a number.",
        "题目要的是公式，不是数值。",
    ),
    "circular_output": (
        "{name} is what you are asked to derive, so it cannot be its own answer. An output "
        "unit's δ is built from the error and the activation's derivative: {name} = {chain}.",
        "{name} 正是要你推导的量，不能拿它自己当答案。输出层神经元的 δ 由误差和激活函数的导数"
        "构成：{name} = {chain}。",
    ),
    "circular_hidden": (
        "{name} is what you are asked to derive, so it cannot be its own answer. A hidden unit's "
        "δ is built from the δ of the units it feeds, the weights into them, and its "
        "activation's derivative: {name} = {chain}.",
        "{name} 正是要你推导的量，不能拿它自己当答案。隐含层神经元的 δ 由它所连接的"
        "下一层神经元的 δ、连向它们的权值和它的激活函数的导数构成：{name} = {chain}。",
    ),
    "nearest": (
        "Did you mean: {names}?",
        "你是不是想写：{names}？",
    ),
}
